// The chart on a real API server and kubelet: installed by the same scripts/e2e-kind steps as on kind,
// into a namespace that enforces Pod Security "restricted", then upgraded, tested and disturbed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repoRoot, runVisible } from '../support/docker.js';
import { helmPath } from '../support/helm.js';
import { startLoad } from '../support/load.js';
import { clusterEnv, mustKube, readE2eNames, runE2eStep, serviceHttpUrl } from '../support/local-cluster.js';

const names = readE2eNames();
// Visitors come in through Traefik's web NodePort, which the local cluster serves on 127.0.0.1 itself (kind
// maps it to port 80 instead).
const traefikValues = parse(readFileSync(join(repoRoot, 'test', 'e2e', 'traefik-values.yaml'), 'utf8')) as { ports: { web: { nodePort: number } } };
const stepEnv = { E2E_HTTP_PORT: String(traefikValues.ports.web.nodePort) };

interface PodSummary { name: string; uid: string; component: string; ready: boolean }

async function releasePods(): Promise<PodSummary[]> {
  const list = JSON.parse(
    await mustKube(['-n', names.namespace, 'get', 'pods', '-l', `app.kubernetes.io/instance=${names.release}`, '-o', 'json']),
  ) as { items: { metadata: { name: string; uid: string; labels: Record<string, string>; deletionTimestamp?: string }; status: { conditions?: { type: string; status: string }[] } }[] };
  return list.items
    .filter((pod) => pod.metadata.deletionTimestamp === undefined)
    .map((pod) => ({
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      component: pod.metadata.labels['app.kubernetes.io/component'] ?? '',
      ready: pod.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function jsonOf<T>(args: string[]): Promise<T> {
  return JSON.parse(await mustKube([...args, '-o', 'json'])) as T;
}

async function views(baseUrl: string, page: string): Promise<number> {
  const answer = await fetch(`${baseUrl}/api/views/${page}`);
  expect(answer.status).to.equal(200);
  return ((await answer.json()) as { views: number }).views;
}

async function redisPassword(): Promise<string> {
  const secret = await jsonOf<{ data: Record<string, string> }>(['-n', names.namespace, 'get', 'secret', names.redis]);
  const value = secret.data['redis-password'];
  if (value === undefined) throw new Error(`secret ${names.redis} has no key redis-password`);
  return Buffer.from(value, 'base64').toString();
}

async function mustStep(step: string, extra: Record<string, string> = {}): Promise<void> {
  const result = await runE2eStep(step, { ...stepEnv, ...extra });
  expect(result.code, `scripts/e2e-kind/${step}.sh failed`).to.equal(0);
}

describe(`the chart on the local cluster (release ${names.release} in namespace ${names.namespace})`, function () {
  let baseUrl: string;

  before(async function () {
    // Before Traefik: its Gateway provider and the Gateway it is given need the Gateway API CRDs.
    await mustStep('install-gateway-api');
    await mustStep('install-ingress');
    // Before the chart: its ServiceMonitor and PrometheusRule need the operator's CRDs.
    await mustStep('install-prometheus');
    await mustStep('create-namespace');
    await mustStep('load-image');
  });

  it('installs with --wait: 2 app pods and the Redis StatefulSet Ready, its PVC bound (install-chart.sh)', async function () {
    await mustStep('install-chart');
    const deployment = await jsonOf<{ status: { readyReplicas?: number } }>(['-n', names.namespace, 'get', 'deployment', names.app]);
    expect(deployment.status.readyReplicas).to.equal(2);
    const statefulSet = await jsonOf<{ status: { readyReplicas?: number } }>(['-n', names.namespace, 'get', 'statefulset', names.redis]);
    expect(statefulSet.status.readyReplicas).to.equal(1);
    const claims = await jsonOf<{ items: { metadata: { name: string }; status: { phase: string } }[] }>(['-n', names.namespace, 'get', 'pvc']);
    expect(claims.items.map((claim) => claim.status.phase)).to.deep.equal(['Bound']);
    baseUrl = await serviceHttpUrl(names.namespace, names.app);
  });

  it('passes `helm test` under the restricted profile (helm-test.sh)', async function () {
    await mustStep('helm-test');
  });

  it("passes the smoke suite through Traefik on 127.0.0.1, by the Ingress host and by the HTTPRoute's host on Traefik's Gateway (smoke.sh)", async function () {
    await mustStep('smoke');
  });

  it('rolls no pod on an upgrade with no change, and keeps the Redis password and the counts', async function () {
    const page = `cluster-upgrade-${Date.now()}`;
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${baseUrl}/api/views/${page}`, { method: 'POST' })).status).to.equal(200);
    const podsBefore = await releasePods();
    const passwordBefore = await redisPassword();
    await mustStep('install-chart');
    expect(await releasePods()).to.deep.equal(podsBefore);
    expect(await redisPassword()).to.equal(passwordBefore);
    expect(await views(baseUrl, page)).to.equal(3);
  });

  it('rolls the app, and only the app, without a failed request when a value changes', async function () {
    const podsBefore = await releasePods();
    // A new connection per request: each one is spread by kube-proxy as a visitor's would be.
    const load = startLoad({ baseUrl, concurrency: 2, path: () => '/api/views/cluster-rollout', keepRecords: true, keepAlive: false, requestTimeoutMs: 5000 });
    let summary;
    try {
      const helm = await helmPath();
      const upgrade = await runVisible(helm, [
        'upgrade', names.release, names.chart, '--namespace', names.namespace, ...names.valuesFiles.flatMap((file) => ['--values', file]),
        '--set-string', `podAnnotations.page-tracker/rollout=${Date.now()}`, '--wait', '--timeout', '5m',
      ], { env: clusterEnv() });
      expect(upgrade.code, 'helm upgrade failed').to.equal(0);
      await mustKube(['-n', names.namespace, 'rollout', 'status', `deployment/${names.app}`, '--timeout=180s']);
      // Old pods keep draining for the chart's shutdown delay after the rollout reports done.
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    } finally {
      summary = await load.stop();
    }
    const failed = summary.records.filter((record) => record.status === undefined || record.status >= 300);
    console.log(`      rollout under load: ${summary.total} requests, ${failed.length} failed, slowest ${summary.maxMs} ms`);
    expect(summary.total, 'too few requests ran during the rollout to exercise it').to.be.at.least(50);
    expect(failed.map((record) => `${record.id}: ${record.status ?? record.error}`)).to.deep.equal([]);
    const podsAfter = await releasePods();
    const appBefore = podsBefore.filter((pod) => pod.component === 'app').map((pod) => pod.uid);
    const appAfter = podsAfter.filter((pod) => pod.component === 'app').map((pod) => pod.uid);
    expect(appAfter).to.have.length(2);
    expect(appAfter.filter((uid) => appBefore.includes(uid)), 'app pods that were not replaced').to.deep.equal([]);
    expect(podsAfter.filter((pod) => pod.component === 'redis'), 'the Redis pod').to.deep.equal(podsBefore.filter((pod) => pod.component === 'redis'));
  });

  it('replaces every app pod by `kubectl rollout restart` with no failed request through the ingress (zero-downtime.sh)', async function () {
    await mustStep('zero-downtime');
  });

  it('keeps the count when the Redis pod is deleted and comes back, through the ingress (persistence.sh)', async function () {
    await mustStep('persistence');
  });

  it("keeps Redis closed to a pod without the app's labels and open to the app (network-policy.sh)", async function () {
    await mustStep('network-policy');
  });

  it("has its ServiceMonitor's targets up and its PrometheusRule groups evaluated by the operator's Prometheus (prometheus.sh)", async function () {
    await mustStep('prometheus');
  });
});
