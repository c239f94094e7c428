// The kind e2e scripts run here with stand-in kubectl/kind/docker/curl that record their calls (no cluster
// runs in this tier): what each step asks of those tools, and the order in which run.sh takes the steps.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { pin } from '../../scripts/lib/pinned-versions.js';
import { repoRoot } from '../../scripts/lib/workflows.js';
import type { KubeObject } from '../support/kube-object.js';
import { podTemplatesOf, restrictedViolations } from '../support/pod-security.js';
import { standInTools, type StandIns } from '../support/stand-in-tools.js';

const e2eDir = join(repoRoot, 'scripts', 'e2e-kind');
const kindValues = parse(readFileSync(join(repoRoot, 'test/e2e/kind-values.yaml'), 'utf8')) as {
  image: { repository: string; tag: string };
  ingress: { hosts: { host: string }[] };
};
const CLUSTER = 'e2e-under-test';
const ROUTE_HOSTS = ['route-a.e2e.test', 'route-b.e2e.test'];
const FORWARDED_PORT = 40123;

describe('kind e2e steps, run with stand-in tools', function () {
  let tools: StandIns;
  before(function () {
    tools = standInTools({
      kubectl: [
        // Answered, not recorded: every step asks it first (the kind-context guard).
        `if [ "$*" = "config current-context" ]; then echo kind-${CLUSTER}; exit 0; fi`,
        // For smoke.sh: an HTTPRoute its Gateway accepted, with two host names, and a port-forward.
        'case "$*" in',
        '  *"get httproute"*Accepted*|*"get httproute"*ResolvedRefs*) echo True ;;',
        `  *"get httproute"*hostnames*) printf '%s\\n' ${ROUTE_HOSTS.join(' ')} ;;`,
        `  port-forward*) echo "Forwarding from 127.0.0.1:${FORWARDED_PORT} -> 9100" ;;`,
        'esac',
      ].join('\n'),
      // `kind get clusters` answers none, so create-cluster.sh creates one.
      kind: '',
      docker: '',
      curl: '',
    });
    // npm records where the smoke suite is sent, which it learns from its environment.
    tools.add('npm', `echo "npm BASE_URL=$BASE_URL HOST_HEADER=$HOST_HEADER METRICS_URL=$METRICS_URL $*" >> "${tools.log}"; exit 0`);
  });
  after(function () {
    tools.cleanup();
  });

  it('load-image builds the image the kind values name and loads that very image into the current kind cluster', function () {
    const result = tools.run(join(e2eDir, 'load-image.sh'), []);
    expect(result.status, result.stderr).to.equal(0);
    const image = `${kindValues.image.repository}:${kindValues.image.tag}`;
    expect(result.calls).to.deep.equal([`docker build --target runtime --tag ${image} ${repoRoot}`, `kind load docker-image ${image} --name ${CLUSTER}`]);
  });

  it('create-cluster makes the cluster from the kind config on the newest pinned node image, or on E2E_NODE_IMAGE', function () {
    const creating = (image: string): string[] => [
      'kind get clusters',
      `kind create cluster --name page-tracker-e2e --config ${repoRoot}/test/e2e/kind-config.yaml --image ${image} --wait 120s`,
      'kubectl version',
      'kubectl wait --for=condition=Ready nodes --all --timeout=120s',
    ];
    const newest = tools.run(join(e2eDir, 'create-cluster.sh'), [], { E2E_NODE_IMAGE: undefined, E2E_CLUSTER_NAME: undefined });
    expect(newest.status, newest.stderr).to.equal(0);
    expect(newest.calls).to.deep.equal(creating(pin('KIND_NEWEST_NODE_IMAGE')));
    const oldest = tools.run(join(e2eDir, 'create-cluster.sh'), [], { E2E_NODE_IMAGE: pin('KIND_OLDEST_NODE_IMAGE'), E2E_CLUSTER_NAME: undefined });
    expect(oldest.calls).to.deep.equal(creating(pin('KIND_OLDEST_NODE_IMAGE')));
  });

  it('ingress_curl sends the Ingress host of the kind values as Host; route_curl the host it is given', function () {
    const script = `source ${e2eDir}/lib.sh; ingress_curl --silent "$E2E_BASE_URL/api/views"; route_curl route.e2e.test "$E2E_BASE_URL/"`;
    const result = tools.run('bash', ['-c', script], { E2E_HTTP_PORT: '8080' });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.calls).to.deep.equal([
      `curl --header Host: ${kindValues.ingress.hosts[0]?.host} --silent http://127.0.0.1:8080/api/views`,
      'curl --header Host: route.e2e.test http://127.0.0.1:8080/',
    ]);
  });

  it('smoke runs the smoke suite through the Ingress host, then each HTTPRoute host, with /metrics through a port-forward', function () {
    const result = tools.run(join(e2eDir, 'smoke.sh'), []);
    expect(result.status, result.stderr).to.equal(0);
    const suites = result.calls.filter((call) => call.startsWith('npm '));
    expect(suites).to.deep.equal(
      [kindValues.ingress.hosts[0]?.host, ...ROUTE_HOSTS].map(
        (host) => `npm BASE_URL=http://127.0.0.1:80 HOST_HEADER=${host} METRICS_URL=http://127.0.0.1:${FORWARDED_PORT} --prefix ${repoRoot} run smoke`,
      ),
    );
  });

  describe('network-policy.sh', function () {
    let cluster: StandIns;
    let applied: string;
    before(function () {
      cluster = standInTools({});
      applied = join(cluster.bin, 'applied.yaml');
    });
    after(function () {
      cluster.cleanup();
    });
    /** A cluster whose app pod reaches Redis, and whose outsider probe pod ends with `outsiderExit`. */
    const probe = (outsiderExit: number) => {
      cluster.add('kubectl', [
        'case "$*" in',
        `  "config current-context") echo kind-${CLUSTER}; exit 0 ;;`,
        '  *"get service"*clusterIP*) echo 10.96.0.9 ;;',
        '  *" exec "*) echo connected ;;',
        `  *" apply --filename -"*) cat > "${applied}" ;;`,
        '  *"get pod"*phase*) echo Failed ;;',
        `  *"get pod"*exitCode*) echo ${outsiderExit} ;;`,
        '  *" logs "*) echo "timed out" ;;',
        'esac',
      ].join('\n'));
      return cluster.run(join(e2eDir, 'network-policy.sh'), []);
    };

    it('applies a probe pod the restricted profile admits, without the labels the Redis NetworkPolicy lets in, running a working probe', function () {
      const result = probe(3);
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stderr).to.include('NetworkPolicy OK');
      const pod = parse(readFileSync(applied, 'utf8')) as KubeObject & { spec: { containers: { command: string[] }[] } };
      expect(pod.kind).to.equal('Pod');
      const [template] = podTemplatesOf([pod]);
      expect(template).to.not.equal(undefined);
      if (template !== undefined) expect(restrictedViolations(template)).to.deep.equal([]);
      expect(pod.metadata.labels ?? {}).to.not.have.any.keys('app.kubernetes.io/instance', 'app.kubernetes.io/component');
      // The pod's command, run here against a port nothing listens on: refused, exit 5, as the script expects.
      const [node, ...args] = pod.spec.containers[0]?.command ?? [];
      expect(args.at(-2)).to.equal('10.96.0.9');
      const refused = spawnSync(node ?? 'node', [...args.slice(0, -2), '127.0.0.1', '1'], { encoding: 'utf8', timeout: 10_000 });
      expect(refused.status, refused.stderr).to.equal(5);
      expect(refused.stdout).to.match(/^error: connect ECONNREFUSED 127\.0\.0\.1:1/);
    });

    it('fails when the outsider pod got through to Redis', function () {
      const result = probe(0);
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include("a pod without the app's labels was not blocked from Redis");
    });
  });

  describe('run.sh', function () {
    // A copy of run.sh and lib.sh beside stand-ins for every step, in a tree shaped like the repository's.
    let root: string;
    let stepTools: StandIns;
    const steps = readdirSync(e2eDir)
      .filter((name) => name.endsWith('.sh') && name !== 'run.sh' && name !== 'lib.sh')
      .map((name) => name.replace(/\.sh$/, ''));
    before(function () {
      root = mkdtempSync(join(tmpdir(), 'e2e-run-'));
      const dir = join(root, 'scripts', 'e2e-kind');
      mkdirSync(dir, { recursive: true });
      for (const file of ['run.sh', 'lib.sh']) copyFileSync(join(e2eDir, file), join(dir, file));
      // Everything else is the repository's own, so whatever lib.sh reads is there.
      for (const entry of readdirSync(repoRoot)) if (entry !== 'scripts') symlinkSync(join(repoRoot, entry), join(root, entry));
      for (const entry of readdirSync(join(repoRoot, 'scripts'))) if (entry !== 'e2e-kind') symlinkSync(join(repoRoot, 'scripts', entry), join(root, 'scripts', entry));
      stepTools = standInTools({});
      // Each step records itself; FAIL_STEP makes one fail.
      for (const step of steps) stepTools.add(`${step}.sh`, `[ "$FAIL_STEP" = "${step}" ] && { echo "${step}.sh" >> "${stepTools.bin}/calls.log"; exit 3; }`);
      for (const step of steps) symlinkSync(join(stepTools.bin, `${step}.sh`), join(dir, `${step}.sh`));
    });
    after(function () {
      rmSync(root, { recursive: true, force: true });
      stepTools.cleanup();
    });
    const run = (env: Record<string, string>) => stepTools.run(join(root, 'scripts', 'e2e-kind', 'run.sh'), [], { FAIL_STEP: '', ...env });

    it('creates the cluster first, loads the image, installs the Gateway API before the ingress controller, and the chart before its checks', function () {
      const result = run({});
      expect(result.status, result.stderr).to.equal(0);
      const order = result.calls.map((call) => call.trim().replace(/\.sh$/, ''));
      expect(order.slice(0, 4)).to.deep.equal(['create-cluster', 'load-image', 'install-gateway-api', 'install-ingress']);
      expect(order.indexOf('install-chart')).to.be.below(order.indexOf('helm-test'));
      for (const check of ['helm-test', 'smoke', 'persistence', 'zero-downtime', 'network-policy', 'prometheus']) {
        expect(order, check).to.include(check);
        expect(order.indexOf(check), `${check} after install-chart`).to.be.above(order.indexOf('install-chart'));
      }
      expect(order, 'no diagnostics when every step passes').to.not.include('collect-diagnostics');
      for (const step of order) expect(() => accessSync(join(e2eDir, `${step}.sh`), constants.X_OK), `scripts/e2e-kind/${step}.sh is executable`).to.not.throw();
      expect(run({ E2E_CREATE_CLUSTER: '0' }).calls[0]?.trim(), 'E2E_CREATE_CLUSTER=0 uses the current context').to.equal('load-image.sh');
    });

    it('stops at the first failed step, collects diagnostics and fails', function () {
      const result = run({ FAIL_STEP: 'install-chart' });
      expect(result.status).to.equal(1);
      const order = result.calls.map((call) => call.trim());
      expect(order.slice(-2)).to.deep.equal(['install-chart.sh', 'collect-diagnostics.sh']);
      expect(result.stderr).to.include('step install-chart failed');
    });
  });
});
