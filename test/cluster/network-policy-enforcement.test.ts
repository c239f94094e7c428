// NetworkPolicy is enforced on the local cluster (by kube-router's firewall): one TCP connection between two
// pods is tried with no policy, under a deny-all ingress policy, and after the policy is deleted again. Only
// the policy changes between the three, so the cut in the middle is the enforcer's doing. The chart's own
// policies are checked afterwards by scripts/e2e-kind/network-policy.sh (chart.test.ts).
import { expect } from 'chai';
import { kube, localCluster, mustKube } from '../support/local-cluster.js';

const namespace = 'pt-network-policy-check';
const serverPort = 8053;
const enforcementDeadlineMs = 30_000;

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'server', namespace },
    // CoreDNS as a TCP listener: its image is on the node already, and `whoami` needs no upstream.
    data: { Corefile: `.:${serverPort} {\n  whoami\n}\n` },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'server', namespace, labels: { role: 'server' } },
    spec: {
      containers: [{
        name: 'coredns',
        image: localCluster.coreDnsImage,
        imagePullPolicy: 'Never',
        args: ['-conf', '/etc/coredns/Corefile'],
        volumeMounts: [{ name: 'config', mountPath: '/etc/coredns' }],
        readinessProbe: { tcpSocket: { port: serverPort }, periodSeconds: 1 },
      }],
      volumes: [{ name: 'config', configMap: { name: 'server' } }],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace, labels: { role: 'client' } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'shell', image: localCluster.helperImage, imagePullPolicy: 'Never', command: ['sleep', 'infinity'] }],
    },
  },
];

const denyAllIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-all-ingress', namespace },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};

/** One connection attempt from the client pod: true when it connected within 3 s. */
async function clientConnects(serverIp: string): Promise<boolean> {
  const result = await kube([
    '-n', namespace, 'exec', 'client', '--',
    'timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${serverIp}/${serverPort}`,
  ]);
  return result.code === 0;
}

/** Polls until the connection gives WANTED (the enforcer applies a policy change asynchronously). */
async function waitForConnects(serverIp: string, wanted: boolean): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < enforcementDeadlineMs) {
    if ((await clientConnects(serverIp)) === wanted) return Date.now() - started;
  }
  throw new Error(`the client ${wanted ? 'still could not connect' : 'could still connect'} after ${enforcementDeadlineMs} ms`);
}

describe('NetworkPolicy enforcement on the local cluster (kube-router firewall)', function () {
  let serverIp: string;

  before(async function () {
    await mustKube(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    await mustKube(['-n', namespace, 'wait', '--for=condition=Ready', 'pod/server', 'pod/client', '--timeout=120s']);
    serverIp = (await mustKube(['-n', namespace, 'get', 'pod', 'server', '-o', 'jsonpath={.status.podIP}'])).trim();
    expect(serverIp).to.match(/^\d+\.\d+\.\d+\.\d+$/);
  });

  after(async function () {
    await kube(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('lets the client connect while no policy selects the server', async function () {
    expect(await clientConnects(serverIp)).to.equal(true);
  });

  it('cuts the same connection under a deny-all ingress policy', async function () {
    await mustKube(['apply', '-f', '-'], JSON.stringify(denyAllIngress));
    const tookMs = await waitForConnects(serverIp, false);
    console.log(`      deny-all in force after ${tookMs} ms`);
    // Not a passing glitch: it stays cut.
    expect(await clientConnects(serverIp)).to.equal(false);
  });

  it('lets it through again once the policy is deleted', async function () {
    await mustKube(['-n', namespace, 'delete', 'networkpolicy', denyAllIngress.metadata.name]);
    const tookMs = await waitForConnects(serverIp, true);
    console.log(`      open again after ${tookMs} ms`);
  });
});
