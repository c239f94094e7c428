// The CRDs an older API server refuses: a validation rule calling a CEL function that Kubernetes version does
// not know makes it reject the whole CustomResourceDefinition, and the chart shipping it fails to install.
// The e2e runs scripts/check-crd-cel.ts on the Traefik and kube-prometheus-stack charts it installs (they can
// only be downloaded where their chart repositories answer); here the checker itself is held to known cases
// and to the Gateway API bundle that Traefik charts 40.0.x to 40.1.0 shipped in crds/ (fetched through the Go
// module proxy), which a 1.25 API server rejects.
import { expect } from 'chai';
import path from 'node:path';
import { celLibraries, kubernetesMinor, scanCrdPaths, scanCrdText } from '../../scripts/lib/crd-cel.js';
import { loadWorkflow } from '../../scripts/lib/workflows.js';
import { goModuleDir } from '../support/go.js';

/** The oldest Kubernetes of the e2e matrix in ci.yml: every CRD the e2e installs must suit it. */
function oldestMatrixMinor(): number {
  const include = (loadWorkflow('.github/workflows/ci.yml').jobs['e2e-kind']?.strategy?.matrix?.include ?? []) as Array<{ kubernetes?: string }>;
  const minors = include.map((entry) => kubernetesMinor(String(entry.kubernetes)));
  expect(minors.length, 'kubernetes versions in the e2e-kind matrix').to.be.greaterThan(0);
  return Math.min(...minors);
}

function crd(rule: string): string {
  return [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.example.com}',
    'spec:',
    '  versions:',
    '    - name: v1',
    '      schema:',
    '        openAPIV3Schema:',
    '          type: object',
    '          x-kubernetes-validations:',
    `            - rule: ${JSON.stringify(rule)}`,
  ].join('\n');
}

function librariesUsed(rule: string, serverMinor: number): string[] {
  const scan = scanCrdText(crd(rule), 'inline.yaml', serverMinor);
  expect(scan.crds).to.equal(1);
  expect(scan.rules).to.equal(1);
  return scan.findings.map((f) => f.library);
}

describe('CRD CEL rules against the oldest Kubernetes of the e2e', function () {
  const floor = oldestMatrixMinor();

  it('reads the floor from the ci.yml matrix: Kubernetes 1.25', function () {
    expect(floor).to.equal(25);
  });

  // One call per library the checker knows, and the first minor that accepts it in a new CRD.
  const calls: ReadonlyArray<[string, number]> = [
    ['self.?spec.orValue(1) > 0', 29],
    ["quantity(self.size).isLessThan(quantity('1Gi'))", 29],
    ["'%s'.format([self.name]) == self.name", 30],
    ['sets.contains(self.a, self.b)', 30],
    ['self.hosts.all(h, !isIP(h))', 31],
    ["cidr(self.range).containsIP(ip('10.0.0.1'))", 31],
    ['!format.dns1123Label().validate(self.name).hasValue()', 32],
    ['self.labels.all(k, v, v != "")', 33],
    ['semver(self.version).major() >= 1', 34],
    ['lists.range(3).size() == 3', 35],
  ];
  for (const [rule, minor] of calls) {
    it(`flags ${rule} before Kubernetes 1.${minor} and accepts it from then on`, function () {
      expect(librariesUsed(rule, minor - 1).length, `at 1.${minor - 1}`).to.be.greaterThan(0);
      expect(librariesUsed(rule, minor), `at 1.${minor}`).to.deep.equal([]);
    });
  }

  it('has a call above for every library it knows', function () {
    const covered = new Set(calls.flatMap(([rule, minor]) => librariesUsed(rule, minor - 1)));
    expect([...covered].sort()).to.deep.equal(celLibraries.map((l) => l.name).sort());
  });

  it('accepts what Kubernetes 1.25 already had (URL, regex, lists, strings v0) and ignores names inside string literals', function () {
    for (const rule of [
      'isURL(self.url) && url(self.url).getScheme() == "https"',
      "self.name.matches('^[a-z]+$') && self.path.find('[0-9]+') != ''",
      'self.items.isSorted() && self.items.sum() < 10 && self.name.lowerAscii().split("-").size() > 0',
      "self.kind == 'isIP(x)' || self.note == \"quantity('1')\" || self.op == '?.'",
      'self.all(h, h.startsWith("a")) && self.exists_one(h, h == "b") && has(self.spec)',
    ]) {
      expect(librariesUsed(rule, floor), rule).to.deep.equal([]);
    }
  });

  it('rejects the Gateway API v1.5.1 CRDs (Traefik charts 40.0.x-40.1.0) at 1.25 for isIP, and accepts them from 1.31', async function () {
    this.timeout(180_000);
    const standard = path.join(await goModuleDir('sigs.k8s.io/gateway-api', 'v1.5.1'), 'config', 'crd', 'standard');
    const atFloor = scanCrdPaths([standard], floor);
    expect(atFloor.crds).to.be.greaterThan(5);
    expect(atFloor.rules).to.be.greaterThan(100);
    expect([...new Set(atFloor.findings.map((f) => `${f.crd}: ${f.rule}`))]).to.deep.equal(['tlsroutes.gateway.networking.k8s.io: self.all(h, !isIP(h))']);
    expect(scanCrdPaths([standard], 31).findings).to.deep.equal([]);
  });
});
