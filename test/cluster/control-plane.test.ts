// The local cluster is a real Kubernetes: the pinned release answers /version, and the API server's own
// Pod Security admission rejects what the restricted profile forbids (so the chart's pods being admitted
// elsewhere in this suite means something).
import { expect } from 'chai';
import { kube, localCluster, mustKube } from '../support/local-cluster.js';
import { pin } from '../../scripts/lib/pinned-versions.js';

const namespace = 'pt-pod-security-check';

function pod(name: string, securityContext: object, podSecurityContext: object = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      securityContext: podSecurityContext,
      // The sandbox image the node already holds (versions.env), so the pod needs no pull.
      containers: [{ name: 'main', image: pin('PAUSE_IMAGE'), securityContext }],
    },
  });
}

describe('the local test cluster (control plane)', function () {
  it(`reports the pinned Kubernetes version (${localCluster.kubernetesVersion}) at /version`, async function () {
    const version = JSON.parse(await mustKube(['get', '--raw', '/version'])) as { gitVersion: string; gitTreeState: string };
    expect(version.gitVersion).to.equal(localCluster.kubernetesVersion);
    expect(version.gitTreeState).to.equal('clean');
  });

  it('has one Ready node whose kubelet reports the same version', async function () {
    const nodes = JSON.parse(await mustKube(['get', 'nodes', '-o', 'json'])) as {
      items: { status: { nodeInfo: { kubeletVersion: string }; conditions: { type: string; status: string }[] } }[];
    };
    expect(nodes.items).to.have.length(1);
    const node = nodes.items[0]!;
    expect(node.status.nodeInfo.kubeletVersion).to.equal(localCluster.kubernetesVersion);
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).to.equal('True');
  });

  describe('Pod Security admission in a namespace that enforces "restricted"', function () {
    before(async function () {
      await mustKube(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      }));
    });

    after(async function () {
      await kube(['delete', 'namespace', namespace, '--wait=false']);
    });

    it('rejects a privileged pod (server-side dry run)', async function () {
      const result = await kube(['apply', '--dry-run=server', '-f', '-'], pod('privileged', { privileged: true }));
      expect(result.code, result.stdout).to.not.equal(0);
      expect(result.stderr).to.contain('violates PodSecurity "restricted:latest"');
      expect(result.stderr).to.contain('privileged');
    });

    it('admits a pod that meets the profile (so the rejection above is the profile at work)', async function () {
      const compliant = pod(
        'restricted',
        { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 65535 },
        { seccompProfile: { type: 'RuntimeDefault' } },
      );
      const result = await kube(['apply', '--dry-run=server', '-f', '-'], compliant);
      expect(result.code, result.stderr).to.equal(0);
    });
  });
});
