// Usage: tsx scripts/check-crd-cel.ts --kubernetes 1.25 PATH...
// Fails when a CustomResourceDefinition under PATH (files or directories, searched recursively) has a
// validation rule calling a CEL function that Kubernetes 1.25 (or the given version) does not know, and when
// PATH holds no CRD at all (a wrong path must not pass as clean). The e2e runs it on the charts it installs
// before installing them, against the cluster's own version.
import { kubernetesMinor, scanCrdPaths } from './lib/crd-cel.js';

const args = process.argv.slice(2);
const flag = args.indexOf('--kubernetes');
const version = flag >= 0 ? args[flag + 1] : undefined;
const paths = args.filter((_, i) => i !== flag && i !== flag + 1);
if (version === undefined || paths.length === 0) {
  console.error('usage: tsx scripts/check-crd-cel.ts --kubernetes 1.25 PATH...');
  process.exit(2);
}
const scan = scanCrdPaths(paths, kubernetesMinor(version));
for (const f of scan.findings) {
  console.error(`${f.file}: CRD ${f.crd}: rule uses the ${f.library}, accepted from Kubernetes 1.${f.acceptedFromMinor}: ${f.rule}`);
}
console.error(`check-crd-cel: ${scan.crds} CRDs, ${scan.rules} CEL expressions, ${scan.findings.length} too new for Kubernetes ${version}`);
if (scan.crds === 0) {
  console.error(`check-crd-cel: no CustomResourceDefinition under ${paths.join(' ')}`);
  process.exit(1);
}
process.exit(scan.findings.length === 0 ? 0 : 1);
