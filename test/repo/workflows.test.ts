// The CI definitions cannot run here (no GitHub, no cluster), so this reads them and checks what a typo
// would silently break: files and npm scripts they call, the kind e2e's values and image, pinning,
// timeouts and permissions.
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { allSteps, loadWorkflows, npmRunsIn, repoRoot, type Workflow } from '../../scripts/lib/workflows.js';
import { renderChart, templateArgs } from '../support/chart.js';
import { helm } from '../support/helm.js';
import type { KubeObject } from '../support/kube-object.js';
import { validateKubeObject } from '../support/kube-schema.js';
import { pin } from '../../scripts/lib/pinned-versions.js';
import { e2eImage, sharedName } from '../../scripts/lib/shared-names.js';
import { podTemplatesOf, restrictedViolations } from '../support/pod-security.js';

const e2eDir = join(repoRoot, 'scripts', 'e2e-kind');
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const readYaml = <T>(path: string): T => parse(read(path)) as T;

const workflows = loadWorkflows();
const workflow = (name: string): Workflow => {
  const found = workflows.find((w) => w.file === `.github/workflows/${name}`);
  if (found === undefined) throw new Error(`.github/workflows/${name} is missing`);
  return found;
};
const e2eScripts = readdirSync(e2eDir)
  .filter((name) => name.endsWith('.sh'))
  .map((name) => ({ file: `scripts/e2e-kind/${name}`, source: readFileSync(join(e2eDir, name), 'utf8') }));
const libSource = readFileSync(join(e2eDir, 'lib.sh'), 'utf8');
const packageScripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** A `readonly NAME="value"` (or plain assignment) from scripts/e2e-kind/lib.sh. */
function libValue(name: string): string {
  const match = new RegExp(`^(?:readonly )?${name}="([^"]*)"`, 'm').exec(libSource);
  if (match?.[1] === undefined) throw new Error(`scripts/e2e-kind/lib.sh does not define ${name}`);
  return match[1];
}

/** Repository paths a shell text names directly (scripts/x.sh, ./scripts/x, .ci/run, test/...). */
function pathsIn(shell: string): string[] {
  const found = shell.matchAll(/(?:^|[\s"'=(])(?:\.\/)?((?:scripts|\.ci|test|charts)\/[\w./-]*\w)/g);
  return [...found].map((m) => m[1] ?? '');
}

describe('CI workflows', function () {
  // Dependabot's configuration is checked in dependabot.test.ts.
  it('exist: ci.yml and release.yml', function () {
    expect(workflows.map((w) => w.file)).to.include.members(['.github/workflows/ci.yml', '.github/workflows/release.yml']);
  });

  it('set least-privilege permissions at the top, and every job a timeout', function () {
    for (const w of workflows) {
      expect(w.permissions, `${w.file}: top-level permissions`).to.deep.equal({ contents: 'read' });
      for (const [jobId, job] of Object.entries(w.jobs)) {
        expect(job['timeout-minutes'], `${w.file}: job ${jobId} timeout-minutes`).to.be.a('number').and.within(1, 60);
      }
    }
  });

  it('pin every action by commit SHA, with the release it is as a comment (a moved tag cannot change what runs)', function () {
    const steps = [...allSteps(workflows)].filter(({ step }) => step.uses !== undefined);
    expect(steps).to.have.length.greaterThan(0);
    for (const { workflow: w, jobId, step } of steps) {
      const uses = step.uses ?? '';
      if (uses.startsWith('./')) {
        expect(existsSync(join(repoRoot, uses)), `${w.file}: job ${jobId}: local action ${uses}`).to.equal(true);
        continue;
      }
      expect(uses, `${w.file}: job ${jobId}`).to.match(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    }
    // The comment is what Dependabot updates beside the SHA and what a reviewer reads: one per `uses:` line,
    // in the workflows and in the local composite actions they use.
    const files = new Set([...workflows.map((w) => w.file), ...[...allSteps(workflows)].map(({ file }) => file)]);
    for (const file of files) {
      const lines = read(file).split('\n').filter((line) => /^\s*(- )?uses:\s+(?!\.\/)[\w.-]+\//.test(line));
      expect(lines.length, file).to.be.greaterThan(0);
      for (const line of lines) expect(line.trim(), file).to.match(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it('check out without leaving the token in .git/config (persist-credentials: false), so npm lifecycle scripts cannot read it', function () {
    const checkouts = [...allSteps(workflows)].filter(({ step }) => step.uses?.startsWith('actions/checkout@') === true);
    expect(checkouts).to.have.length.greaterThan(0);
    for (const { workflow: w, jobId, step } of checkouts) {
      expect(step.with?.['persist-credentials'], `${w.file}: job ${jobId}`).to.equal(false);
    }
  });

  it('cancel superseded CI runs', function () {
    expect(workflow('ci.yml').concurrency).to.deep.include({ 'cancel-in-progress': true });
  });

  it('call only files that exist (executable when run directly), in workflows and the e2e scripts', function () {
    const references: { from: string; path: string; sourced?: boolean }[] = [];
    for (const { workflow: w, jobId, step } of allSteps(workflows)) {
      for (const path of pathsIn(step.run ?? '')) references.push({ from: `${w.file} job ${jobId}`, path });
    }
    for (const [name, command] of Object.entries(packageScripts)) {
      for (const path of pathsIn(command)) references.push({ from: `package.json script ${name}`, path });
    }
    // The e2e scripts name files through lib.sh's variables ("$E2E_ROOT/...", "$E2E_CHART/...").
    const roots: Record<string, string> = { E2E_ROOT: '' };
    for (const [, name, path] of libSource.matchAll(/^readonly (E2E_\w+)="\$E2E_ROOT\/([^"]+)"/gm)) roots[name ?? ''] = path ?? '';
    for (const { file, source } of e2eScripts) {
      for (const match of source.matchAll(/\$\{?(E2E_[A-Z_]+)\}?((?:\/[\w.-]+)*)/g)) {
        const [, variable, rest] = match;
        const root = roots[variable ?? ''];
        if (root === undefined || (root === '' && rest === '')) continue;
        const path = [root, (rest ?? '').replace(/^\//, '')].filter((p) => p !== '').join('/');
        // A library read with `source` is not run, so it need not be executable.
        const line = source.slice(source.lastIndexOf('\n', match.index) + 1, match.index);
        references.push({ from: file, path, sourced: /^\s*(source|\.)\s+"?$/.test(line) });
      }
    }
    expect(references.length).to.be.greaterThan(10);
    // test-results/ is where runs write their output, not something they read.
    const missing = references.filter(({ path }) => !path.startsWith('test-results/') && !existsSync(join(repoRoot, path)));
    expect(missing, 'referenced files that do not exist').to.deep.equal([]);

    const runDirectly = references.filter(({ path, sourced }) => sourced !== true && /\.sh$|^\.ci\/run$/.test(path));
    for (const { from, path } of runDirectly) {
      expect(() => { accessSync(join(repoRoot, path), constants.X_OK); }, `${path} (from ${from}) is executable`).to.not.throw();
    }
  });

  it('make every e2e step stop at an unset variable or a failed pipe (test/repo/e2e-context-guard.test.ts runs them)', function () {
    for (const { file, source } of e2eScripts) {
      if (file.endsWith('/lib.sh')) continue;
      // collect-diagnostics.sh leaves out -e on purpose: it must gather what it can.
      expect(source, file).to.match(file.endsWith('/collect-diagnostics.sh') ? /^set -uo pipefail$/m : /^set -euo pipefail$/m);
    }
  });

  it('run only npm scripts that package.json defines (workflows, e2e scripts and package.json itself)', function () {
    const runs: { from: string; script: string }[] = [];
    for (const { workflow: w, jobId, step } of allSteps(workflows)) {
      for (const script of npmRunsIn(step.run ?? '')) runs.push({ from: `${w.file} job ${jobId}`, script });
    }
    for (const { file, source } of e2eScripts) for (const script of npmRunsIn(source)) runs.push({ from: file, script });
    for (const [name, command] of Object.entries(packageScripts)) {
      for (const script of npmRunsIn(command)) runs.push({ from: `package.json script ${name}`, script });
    }
    expect(runs.map((r) => r.script)).to.include.members(['lint', 'typecheck', 'lint:ci', 'test:coverage', 'test:heavy', 'e2e:kind', 'smoke']);
    const undefinedScripts = runs.filter(({ script }) => packageScripts[script] === undefined);
    expect(undefinedScripts, 'npm scripts run but not in package.json').to.deep.equal([]);
  });

  // The Node versions of the test matrix are checked against the README and the lock file in node-version.test.ts.
  it('run the kind e2e after the other jobs', function () {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.jobs)).to.include.members(['test', 'heavy', 'e2e-kind']);
    expect(ci.jobs['e2e-kind']?.needs).to.have.members(['test', 'heavy']);
  });

  it('publish only from the release environment, with no shared build cache, pinned binfmt and BuildKit, and sign what they publish', function () {
    const release = workflow('release.yml');
    const publishing = Object.entries(release.jobs).filter(([, job]) => {
      const permissions = (job.permissions ?? {}) as Record<string, string>;
      return permissions.packages === 'write' || permissions.contents === 'write';
    });
    expect(publishing.map(([id]) => id).sort()).to.deep.equal(['chart', 'github-release', 'image']);
    for (const [id, job] of publishing) expect(job.environment, `job ${id}`).to.equal('release');
    const stepsOf = (jobId: string) => [...allSteps([release])].filter((s) => s.jobId === jobId).map(({ step }) => step);
    const image = stepsOf('image');
    const build = image.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with, 'the release build').to.not.have.any.keys('cache-from', 'cache-to');
    expect(build?.with?.['no-cache']).to.equal(true);
    expect(image.find((s) => s.uses?.startsWith('docker/setup-qemu-action@'))?.with).to.include({ image: '${{ env.BINFMT_IMAGE }}', 'cache-image': false });
    expect(image.find((s) => s.uses?.startsWith('docker/setup-buildx-action@'))?.with).to.include({ version: '${{ env.BUILDX_VERSION }}', 'driver-opts': 'image=${{ env.BUILDKIT_IMAGE }}' });
    expect(pin('BINFMT_IMAGE'), 'binfmt by a release tag, never latest').to.match(/:qemu-v\d+\.\d+\.\d+-\d+$/);
    expect(pin('BUILDKIT_IMAGE')).to.match(/^moby\/buildkit:v\d+\.\d+\.\d+$/);
    for (const action of ['actions/attest-build-provenance@', 'actions/attest-sbom@']) {
      const attest = image.find((s) => s.uses?.startsWith(action));
      expect(attest?.with, action).to.include({ 'subject-digest': '${{ steps.build.outputs.digest }}', 'push-to-registry': true });
    }
    expect(image.some((s) => /cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"/.test(s.run ?? ''))).to.equal(true);
    const chart = stepsOf('chart');
    expect(chart.find((s) => s.run?.includes('scripts/release-chart.sh'))?.env?.IMAGE_DIGEST).to.equal('${{ needs.image.outputs.digest }}');
    expect(chart.some((s) => /cosign sign --yes "ghcr\.io\/.*\/charts\/page-tracker@\$\{DIGEST\}"/.test(s.run ?? ''))).to.equal(true);
    // Keyless signing needs the job's OIDC token, and only the jobs that sign get one.
    for (const [id, job] of Object.entries(release.jobs)) {
      const permissions = (job.permissions ?? {}) as Record<string, string>;
      expect(permissions['id-token'] === 'write', `job ${id}: id-token`).to.equal(id === 'image' || id === 'chart');
    }
  });

  it('scan the manifests and the built image with Trivy in the heavy job, the image after the build that loads it', function () {
    const steps = [...allSteps([workflow('ci.yml')])].filter((s) => s.jobId === 'heavy').map(({ step }) => step);
    const load = steps.findIndex((s) => s.uses?.startsWith('docker/build-push-action@') === true && s.with?.load === true && s.with?.tags === 'page-tracker:dev');
    const scan = steps.findIndex((s) => s.run === 'scripts/scan-image.sh page-tracker:dev');
    expect(load, 'a step loading page-tracker:dev').to.be.greaterThan(-1);
    expect(scan, 'the image scan, after it').to.be.greaterThan(load);
    expect(steps.some((s) => s.run === 'npm run lint:manifests')).to.equal(true);
  });

  it('release multi-arch images with provenance and SBOM, and the chart as an OCI artifact', function () {
    const release = workflow('release.yml');
    const steps = [...allSteps([release])].map(({ step }) => step);
    const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with).to.include({ platforms: 'linux/amd64,linux/arm64', push: true, sbom: true });
    expect(String(build?.with?.provenance)).to.match(/^(true|mode=max)$/);
    expect(steps.some((s) => s.run?.includes('scripts/release-chart.sh'))).to.equal(true);
    // Where release-chart.sh pushes the chart: test/repo/release-chart.test.ts runs it.
    expect(steps.some((s) => /gh release create .*--generate-notes/.test(s.run ?? ''))).to.equal(true);
  });
});

describe('kind e2e configuration', function () {
  interface KindValues {
    image: { repository: string; tag: string; pullPolicy: string };
    ingress: { className: string; hosts: { host: string }[] };
    httpRoute: { enabled: boolean; parentRefs: { name: string; namespace: string; sectionName?: string }[]; hostnames: string[] };
  }
  const kindValues = readYaml<KindValues>('test/e2e/kind-values.yaml');
  interface KindConfig { nodes: { image?: string; extraPortMappings: { containerPort: number; hostPort: number }[] }[] }
  const kindConfig = readYaml<KindConfig>('test/e2e/kind-config.yaml');
  // Each matrix entry names its KIND_<slot>_* pins of versions.env; the steps read them from the environment.
  interface MatrixEntry { kubernetes: string; pins: string }
  const matrix = (workflow('ci.yml').jobs['e2e-kind']?.strategy?.matrix?.include ?? []) as unknown as MatrixEntry[];
  const resolved = matrix.map((m) => ({
    kubernetes: m.kubernetes,
    kind: pin(`${m.pins}_VERSION`),
    kubectl: pin(`${m.pins}_KUBECTL_VERSION`),
    'node-image': pin(`${m.pins}_NODE_IMAGE`),
  }));

  it('loads into kind the image it builds, which the chart never pulls', function () {
    expect(kindValues.image.pullPolicy).to.equal('Never');
    // That load-image.sh loads this image: test/repo/e2e-steps.test.ts runs it.
  });

  it('sends the smoke tests to the host the Ingress serves, through the controller the kind config exposes', function () {
    // No DNS: the ingress is reached on 127.0.0.1 and the host name travels only as the Host header, and the
    // name is one that never resolves (.test), so a request that forgets the header cannot pass by luck.
    expect(libValue('E2E_BASE_URL')).to.equal('http://127.0.0.1:$E2E_HTTP_PORT');
    expect(sharedName('E2E_INGRESS_HOST')).to.match(/\.test$/);
    for (const { file, source } of e2eScripts) {
      expect(source.match(/^(?!\s*#).*\bcurl\b.*\$E2E_BASE_URL.*$/gm) ?? [], `${file}: curl to the ingress without ingress_curl`).to.deep.equal([]);
    }
    // What ingress_curl and route_curl send, and the hosts smoke.sh sends the suite to: test/repo/e2e-steps.test.ts.
    const traefik = readYaml<{ ingressClass: { name: string }; ports: Record<string, { nodePort: number }> }>('test/e2e/traefik-values.yaml');
    expect(kindValues.ingress.className).to.equal(traefik.ingressClass.name);
    const mappings = kindConfig.nodes.flatMap((n) => n.extraPortMappings);
    expect(mappings).to.deep.include.members([
      { containerPort: traefik.ports.web?.nodePort, hostPort: 80, listenAddress: '127.0.0.1', protocol: 'TCP' },
      { containerPort: traefik.ports.websecure?.nodePort, hostPort: 443, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ]);
  });

  it("attaches the HTTPRoute to the Gateway Traefik's values create, on .test host names of its own", function () {
    const traefik = readYaml<{ providers: { kubernetesGateway: { enabled: boolean } }; gateway: { name: string; listeners: Record<string, { port: number }> } }>('test/e2e/traefik-values.yaml');
    expect(traefik.providers.kubernetesGateway.enabled).to.equal(true);
    expect(kindValues.httpRoute.enabled).to.equal(true);
    expect(kindValues.httpRoute.parentRefs).to.deep.equal([{ name: traefik.gateway.name, namespace: sharedName('E2E_TRAEFIK_NAMESPACE'), sectionName: 'web' }]);
    expect(Object.keys(traefik.gateway.listeners)).to.include('web');
    expect(kindValues.httpRoute.hostnames.length).to.be.greaterThan(0);
    for (const host of kindValues.httpRoute.hostnames) {
      expect(host).to.match(/\.test$/);
      expect(kindValues.ingress.hosts.map((h) => h.host), 'an HTTPRoute host the Ingress also serves').to.not.include(host);
    }
  });

  it('runs the oldest Kubernetes the chart allows and the newest kind node image (create-cluster.sh\'s default)', function () {
    const kubeVersion = readYaml<{ kubeVersion?: string }>('charts/page-tracker/Chart.yaml').kubeVersion;
    const minimum = /^>=\s*v?(\d+)\.(\d+)/.exec(kubeVersion ?? '');
    expect(minimum, `Chart.yaml kubeVersion "${kubeVersion}" has a >= lower bound`).to.not.equal(null);
    expect(matrix.map((m) => m.pins)).to.deep.equal(['KIND_OLDEST', 'KIND_NEWEST']);
    expect(resolved[0]?.kubernetes).to.equal(`${minimum?.[1]}.${minimum?.[2]}`);
    for (const entry of resolved) {
      expect(entry['node-image'], 'node image pinned by digest').to.match(/^kindest\/node:v(\d+\.\d+)\.\d+@sha256:[0-9a-f]{64}$/);
      expect(entry['node-image']).to.contain(`:v${entry.kubernetes}.`);
      expect(entry.kind).to.match(/^v\d+\.\d+\.\d+$/);
      // kubectl supports one minor version of skew: use the server's own.
      expect(entry.kubectl).to.match(new RegExp(`^v${entry.kubernetes.replace('.', '\\.')}\\.\\d+$`));
    }
    // The kind config names no image of its own: create-cluster.sh passes the pinned one to every node
    // (test/repo/e2e-steps.test.ts runs it).
    expect(kindConfig.nodes.map((n) => n.image)).to.deep.equal([undefined]);
    // The local cluster builds the same minor as the newest kind node image.
    expect(pin('KUBERNETES_VERSION')).to.match(new RegExp(`^v${(resolved.at(-1)?.kubernetes ?? '').replace('.', '\\.')}\\.\\d+$`));
  });

  // helm checks the values against values.schema.json on every render: that is the kind values' schema check.
  it('passes values.schema.json and renders for the Kubernetes version of every matrix entry (admitted by the chart kubeVersion)', async function () {
    this.timeout(60000);
    expect(resolved).to.have.length(2);
    for (const entry of resolved) {
      const kubeVersion = /:(v[\d.]+)@/.exec(entry['node-image'])?.[1] ?? '';
      const result = await helm([...templateArgs({ valuesFiles: ['test/e2e/kind-values.yaml'] }), '--kube-version', kubeVersion]);
      expect(result.code, `helm template --kube-version ${kubeVersion}: ${result.stderr}`).to.equal(0);
    }
    // The check is live: the same values with one that breaks the schema are refused.
    const broken = await helm(templateArgs({ valuesFiles: ['test/e2e/kind-values.yaml'], setStrings: { 'image.pullPolicy': 'Sometimes' } }));
    expect(broken.code).to.not.equal(0);
    expect(broken.stderr).to.include("values don't meet the specifications of the schema").and.to.include('/image/pullPolicy');
  });

  describe('rendered with helm', function () {
    let objects: KubeObject[];
    before(async function () {
      this.timeout(60000);
      objects = await renderChart({ valuesFiles: ['test/e2e/kind-values.yaml'] });
    });
    const byKind = (kind: string): KubeObject[] => objects.filter((o) => o.kind === kind);
    // The e2e steps address these objects by the names of names.env: the chart must derive exactly those.
    const app = sharedName('APP_OBJECT_NAME');
    const redis = sharedName('REDIS_OBJECT_NAME');

    it('runs the app on the e2e image with an Ingress, NetworkPolicies, a ServiceMonitor and a PrometheusRule', function () {
      const deployment = byKind('Deployment').find((o) => o.metadata.name === app);
      expect(deployment, `Deployment ${app}`).to.not.equal(undefined);
      const containers = (deployment?.spec as { template: { spec: { containers: { image: string; imagePullPolicy: string }[] } } }).template.spec.containers;
      expect(containers[0]?.image).to.equal(e2eImage());
      expect(containers[0]?.imagePullPolicy).to.equal('Never');
      expect(byKind('StatefulSet').map((o) => o.metadata.name)).to.include(redis);
      expect(byKind('Service').map((o) => o.metadata.name)).to.include.members([app, redis]);
      expect(byKind('Ingress')[0]?.spec).to.deep.include({ ingressClassName: kindValues.ingress.className });
      expect(byKind('NetworkPolicy')).to.have.length.greaterThan(0);
      expect(byKind('ServiceMonitor')).to.have.length.greaterThan(0);
      expect(byKind('PrometheusRule')).to.have.length.greaterThan(0);
    });

    // One schema set (kubernetes-models), not the OpenAPI of each Kubernetes version of the matrix.
    it('makes only objects that match their API schemas (kubernetes-models)', async function () {
      for (const object of objects) await validateKubeObject(object);
    });

    it('makes only pods the restricted namespace admits (app, Redis, helm test)', function () {
      const templates = podTemplatesOf(objects);
      expect(templates.map((t) => t.owner)).to.include.members([`Deployment/${app}`, `StatefulSet/${redis}`]);
      expect(templates.flatMap(restrictedViolations)).to.deep.equal([]);
    });
  });
});
