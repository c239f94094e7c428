// The plain manifests (k8s/, the chart rendered by `npm run k8s:generate` plus kustomize) on a real API
// server and kubelet, applied exactly as docs/kubernetes.md says. They use the release's namespace, so the Helm
// release is removed first, and what they create is removed afterwards so the suite can run again.
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, runVisible, waitForOk } from '../support/docker.js';
import { e2eImage } from '../../scripts/lib/shared-names.js';
import { clusterEnv, kube, mustKube, readE2eNames, removeReleaseNamespace, serviceHttpUrl } from '../support/local-cluster.js';

const names = readE2eNames();

describe('the plain manifests on the local cluster (`kubectl apply -k k8s/`)', function () {
  before(async function () {
    await removeReleaseNamespace(names);
  });

  after(async function () {
    await kube(['delete', '-k', 'k8s/', '--ignore-not-found', '--wait=true', '--timeout=180s']);
  });

  it('reaches Ready in its own namespace after the secret step of docs/kubernetes.md, and counts views', async function () {
    const secretStep = await runVisible(join(repoRoot, 'scripts', 'k8s-secret-env.sh'), []);
    expect(secretStep.code, 'scripts/k8s-secret-env.sh failed').to.equal(0);
    const rendered = await mustKube(['kustomize', 'k8s/']);
    const load = await runVisible('bash', ['-c', 'scripts/cluster/load-rendered-images.sh "$E2E_IMAGE" <<<"$RENDERED"'], {
      env: clusterEnv({ RENDERED: rendered, E2E_IMAGE: e2eImage() }),
    });
    expect(load.code, 'loading the images k8s/ names failed').to.equal(0);

    await mustKube(['apply', '-k', 'k8s/']);
    const namespace = JSON.parse(await mustKube(['get', 'namespace', names.namespace, '-o', 'json'])) as { metadata: { labels: Record<string, string> } };
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).to.equal('restricted');
    await mustKube(['-n', names.namespace, 'rollout', 'status', `statefulset/${names.redis}`, '--timeout=180s']);
    await mustKube(['-n', names.namespace, 'rollout', 'status', `deployment/${names.app}`, '--timeout=180s']);

    const baseUrl = await serviceHttpUrl(names.namespace, names.app);
    // Ready pods are not yet a reachable Service: kube-proxy adds the new endpoints, and kube-router the new
    // pods' NetworkPolicy chains, a moment later (until then the Service IP refuses the connection).
    await waitForOk(`${baseUrl}/api/views`, 60_000);
    const page = `k8s-manifests-${Date.now()}`;
    const first = await fetch(`${baseUrl}/api/views/${page}`, { method: 'POST' });
    expect(first.status).to.equal(200);
    const second = await fetch(`${baseUrl}/api/views/${page}`, { method: 'POST' });
    expect(((await second.json()) as { views: number }).views).to.equal(2);
  });
});
