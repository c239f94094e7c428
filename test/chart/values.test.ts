// What values do to the rendered objects, and how wrong values are refused.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { renderChart, renderChartError } from '../support/chart.js';
import { ofKind, oneOf } from '../support/kube-typed.js';
import type { KubeObject } from '../support/kube-object.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

/** The app's secret files: `<file><-<Secret>/<key>` for each item of its projected secrets volume. */
function secretFiles(objects: readonly KubeObject[]): string[] {
  const volume = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.volumes?.find((v) => v.name === 'secrets');
  return (volume?.projected?.sources ?? []).flatMap((source) => (source.secret?.items ?? []).map((item) => `${item.path}<-${source.secret?.name}/${item.key}`));
}

const fileFor = (name: string): string => {
  const file = valuesFiles.find((f) => shortName(f) === name);
  if (!file) throw new Error(`no ci values file ${name}-values.yaml`);
  return file;
};

describe('chart: values', function () {
  describe('wrong values fail helm template with a message naming the value', function () {
    const cases: [string, { sets?: Record<string, string>; setStrings?: Record<string, string> }, RegExp][] = [
      ['replicaCount: "two"', { setStrings: { replicaCount: 'two' } }, /at '\/replicaCount': got string, want integer/],
      ['an unknown top-level key', { sets: { replicas: '3' } }, /additional properties 'replicas' not allowed/],
      ['a misspelt nested key', { setStrings: { 'redis.auth.passwrd': 'x' } }, /at '\/redis\/auth': additional properties 'passwrd' not allowed/],
      ['an appendfsync Redis does not know', { setStrings: { 'redis.config.appendfsync': 'sometimes' } }, /\/redis\/config\/appendfsync/],
      ['a log level pino does not know', { setStrings: { 'config.logLevel': 'verbose' } }, /\/config\/logLevel/],
      ['resources without limits', { sets: { 'resources.limits': 'null' } }, /at '\/resources': missing property 'limits'/],
      ['the image tag latest', { setStrings: { 'image.tag': 'latest' } }, /uses the tag latest: pin a version/],
      ['a Redis image without tag', { setStrings: { 'redis.image.tag': '' } }, /image redis has no tag/],
      ['a grace period not above delay + drain', { sets: { terminationGracePeriodSeconds: '12' } }, /terminationGracePeriodSeconds \(12\) must be greater than .*\(15\)/],
      ['redis.enabled=false without externalRedis.host', { sets: { 'redis.enabled': 'false' } }, /externalRedis.host is required when redis.enabled is false/],
      ['Sentinel mode without Sentinels', { sets: { 'redis.enabled': 'false', 'externalRedis.mode': 'sentinel', 'externalRedis.sentinelName': 'mymaster' } }, /externalRedis.sentinels and externalRedis.sentinelName are required when externalRedis.mode is sentinel/],
      ['Sentinel mode without the primary\'s name', { sets: { 'redis.enabled': 'false', 'externalRedis.mode': 'sentinel', 'externalRedis.sentinels': '{s:26379}' } }, /externalRedis.sentinels and externalRedis.sentinelName are required/],
      ['cluster mode without nodes', { sets: { 'redis.enabled': 'false', 'externalRedis.mode': 'cluster' } }, /externalRedis.clusterNodes is required when externalRedis.mode is cluster/],
      ['cluster mode with an empty key prefix', { sets: { 'redis.enabled': 'false', 'externalRedis.mode': 'cluster', 'externalRedis.clusterNodes': '{r:6379}' }, setStrings: { 'config.redisKeyPrefix': '' } }, /config.redisKeyPrefix must not be empty when externalRedis.mode is cluster/],
      ['cluster mode with TLS', { sets: { 'redis.enabled': 'false', 'externalRedis.mode': 'cluster', 'externalRedis.clusterNodes': '{r:6379}', 'externalRedis.tls': 'true' } }, /externalRedis.tls works in standalone mode only/],
      ['a cluster node that is not host:port', { sets: { 'redis.enabled': 'false', 'externalRedis.mode': 'cluster', 'externalRedis.clusterNodes': '{redis-0}' } }, /\/externalRedis\/clusterNodes\/0': 'redis-0' does not match pattern/],
      ['an externalRedis.mode the app does not know', { setStrings: { 'redis.enabled': 'false', 'externalRedis.mode': 'replication' } }, /\/externalRedis\/mode/],
      ['a maxmemoryPercent of 100 (Redis needs memory beyond maxmemory)', { sets: { 'redis.config.maxmemoryPercent': '100' } }, /\/redis\/config\/maxmemoryPercent/],
      ['an app ACL user name the chart keeps for itself', { setStrings: { 'redis.auth.username': 'default' } }, /\/redis\/auth\/username/],
      ['an app ACL user name with a space', { setStrings: { 'redis.auth.username': 'page tracker' } }, /\/redis\/auth\/username/],
      ['an HTTPRoute without parentRefs', { sets: { 'httpRoute.enabled': 'true' } }, /httpRoute.enabled needs httpRoute.parentRefs/],
      ['HPA minReplicas above maxReplicas', { sets: { 'autoscaling.enabled': 'true', 'autoscaling.minReplicas': '5', 'autoscaling.maxReplicas': '3' } }, /autoscaling.minReplicas \(5\) is above autoscaling.maxReplicas \(3\)/],
    ];
    for (const [name, opts, message] of cases) {
      it(name, async function () {
        expect(await renderChartError(opts)).to.match(message);
      });
    }
  });

  it('defaults: 2 replicas, no unavailable pod during a rollout, a PDB, NetworkPolicies, no HPA/Ingress/HTTPRoute/monitors', async function () {
    const objects = await renderValuesFile(fileFor('defaults'));
    const deployment = oneOf(objects, 'Deployment', 'page-tracker');
    expect(deployment.spec?.replicas).to.equal(2);
    expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable).to.equal(0);
    expect(ofKind(objects, 'PodDisruptionBudget')).to.have.length(1);
    const kinds = new Set(objects.map((o) => o.kind));
    expect(ofKind(objects, 'NetworkPolicy').map((np) => np.metadata.name), 'default-deny, on by default').to.deep.equal(['page-tracker', 'page-tracker-redis']);
    for (const off of ['HorizontalPodAutoscaler', 'Ingress', 'HTTPRoute', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule']) {
      expect(kinds.has(off), off).to.equal(false);
    }
    expect(deployment.spec?.template.spec?.containers[0]?.image).to.equal('ghcr.io/page-tracker/page-tracker:0.1.0');
  });

  it('gives the Ingress no controller-specific annotation by default', async function () {
    const objects = await renderChart({ sets: { 'ingress.enabled': 'true' } });
    expect(oneOf(objects, 'Ingress', 'page-tracker').metadata?.annotations ?? {}).to.deep.equal({});
  });

  it('ingress-tls: class, hosts and TLS as given, each host with the visitor paths (test/chart/routes.test.ts)', async function () {
    const ingress = oneOf(await renderValuesFile(fileFor('ingress-tls')), 'Ingress', 'page-tracker');
    expect(ingress.spec?.ingressClassName).to.equal('traefik');
    expect(ingress.spec?.rules?.map((r) => r.host)).to.deep.equal(['views.example.com', 'www.views.example.com']);
    for (const rule of ingress.spec?.rules ?? []) {
      expect(rule.http?.paths.map((p) => `${p.pathType} ${p.path}`)).to.deep.equal(['Exact /', 'Prefix /api', 'Prefix /badge', 'Exact /pt.js', 'Exact /favicon.ico', 'Exact /openapi.json']);
    }
    expect(ingress.spec?.tls).to.deep.equal([{ secretName: 'views-example-com-tls', hosts: ['views.example.com', 'www.views.example.com'] }]);
  });

  it('hpa: an autoscaling/v2 HPA on CPU and memory, and no fixed replicas to fight it', async function () {
    const objects = await renderValuesFile(fileFor('hpa'));
    const hpa = oneOf(objects, 'HorizontalPodAutoscaler', 'page-tracker');
    expect(hpa.apiVersion).to.equal('autoscaling/v2');
    expect(hpa.spec?.minReplicas).to.equal(3);
    expect(hpa.spec?.maxReplicas).to.equal(12);
    expect(hpa.spec?.metrics?.map((m) => `${m.resource?.name}=${m.resource?.target.averageUtilization}`)).to.deep.equal(['cpu=60', 'memory=80']);
    expect(oneOf(objects, 'Deployment', 'page-tracker').spec?.replicas).to.equal(undefined);
  });

  it('redis defaults: a 1Gi volume claim, AOF on with appendfsync everysec, noeviction, maxmemory from the memory limit, users from an ACL file', async function () {
    const objects = await renderValuesFile(fileFor('defaults'));
    const sts = oneOf(objects, 'StatefulSet', 'page-tracker-redis');
    expect(sts.spec?.replicas).to.equal(1);
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).to.equal('1Gi');
    expect(sts.spec?.template.spec?.containers[0]?.image).to.match(/^redis:\d+\.\d+\.\d+-bookworm$/);
    const conf = oneOf(objects, 'ConfigMap', 'page-tracker-redis').data?.['redis.conf'] ?? '';
    expect(conf).to.match(/^appendonly yes$/m);
    expect(conf).to.match(/^appendfsync everysec$/m);
    expect(conf).to.match(/^maxmemory-policy noeviction$/m);
    expect(conf).to.match(/^aclfile \/run\/redis\/users.acl$/m);
    expect(conf).not.to.match(/^\s*(requirepass|user) /m);
    expect(conf).to.match(/^include \/run\/redis\/maxmemory.conf$/m);
    expect(conf).not.to.match(/^maxmemory /m);
    const redis = sts.spec?.template.spec?.containers[0];
    expect(redis?.env?.find((e) => e.name === 'REDIS_MEMORY_LIMIT')?.valueFrom?.resourceFieldRef).to.deep.equal({ containerName: 'redis', resource: 'limits.memory' });
    expect(redis?.args?.[0]).to.include(`"$((REDIS_MEMORY_LIMIT * 70 / 100))" > /run/redis/maxmemory.conf`);
    const mounts = sts.spec?.template.spec?.containers[0]?.volumeMounts?.map((m) => m.mountPath);
    expect(mounts).to.include.members(['/data', '/etc/redis', '/run/redis']);
  });

  it('persistence-off: Redis on an emptyDir and no claim; appendfsync and maxmemory as given; one pod means no PDB', async function () {
    const objects = await renderValuesFile(fileFor('persistence-off'));
    const sts = oneOf(objects, 'StatefulSet', 'page-tracker-redis');
    expect(sts.spec?.volumeClaimTemplates).to.equal(undefined);
    expect(sts.spec?.template.spec?.volumes?.find((v) => v.name === 'data')).to.deep.equal({ name: 'data', emptyDir: {} });
    const conf = oneOf(objects, 'ConfigMap', 'page-tracker-redis').data?.['redis.conf'] ?? '';
    expect(conf).to.match(/^appendfsync always$/m);
    expect(conf).to.match(/^maxmemory 128mb$/m);
    expect(conf, 'the explicit cap, not the computed one').not.to.include('maxmemory.conf');
    expect(sts.spec?.template.spec?.containers[0]?.env?.map((e) => e.name)).not.to.include('REDIS_MEMORY_LIMIT');
    expect(ofKind(objects, 'PodDisruptionBudget')).to.have.length(0);
  });

  it('external-redis: no Redis objects, a rediss:// URL, the password from the named Secret', async function () {
    const objects = await renderValuesFile(fileFor('external-redis'));
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'redis').map((o) => o.kind)).to.deep.equal([]);
    const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'REDIS_URL')?.value).to.equal('rediss://views.abc123.cache.amazonaws.com:6380');
    expect(env.find((e) => e.name === 'REDIS_PASSWORD_FILE')?.value).to.equal('/run/secrets/page-tracker/redis-password');
    expect(secretFiles(objects)).to.deep.equal(['redis-password<-managed-redis/auth-token', 'visitor-secret<-page-tracker-visitor/visitor-secret']);
    expect(env.map((e) => e.name), 'no ACL user unless externalRedis.username names one').not.to.include('REDIS_USERNAME');
  });

  it('external Redis with externalRedis.username: the app logs in as that user', async function () {
    const objects = await renderChart({ sets: { 'redis.enabled': 'false', 'externalRedis.host': 'redis.internal', 'externalRedis.username': 'tracker' } });
    const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'REDIS_USERNAME')?.value).to.equal('tracker');
  });

  it('external-sentinel: the Sentinels and the primary\'s name instead of REDIS_URL, the password from the named Secret, views acknowledged by a replica', async function () {
    const objects = await renderValuesFile(fileFor('external-sentinel'));
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'redis').map((o) => o.kind)).to.deep.equal([]);
    const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
    const byName = Object.fromEntries(env.map((e) => [e.name, e.value]));
    expect(byName).not.to.have.property('REDIS_URL');
    expect(byName).not.to.have.property('REDIS_CLUSTER_NODES');
    expect(byName.REDIS_SENTINELS).to.equal(
      'redis-node-0.redis-headless.data.svc.cluster.local:26379,redis-node-1.redis-headless.data.svc.cluster.local:26379,redis-node-2.redis-headless.data.svc.cluster.local:26379',
    );
    expect(byName.REDIS_SENTINEL_NAME).to.equal('mymaster');
    expect(byName.REDIS_MIN_REPLICAS_ACK).to.equal('1');
    expect(byName.REDIS_REPLICAS_ACK_TIMEOUT_MS).to.equal('500');
    expect(env.find((e) => e.name === 'REDIS_PASSWORD_FILE')?.value).to.equal('/run/secrets/page-tracker/redis-password');
    expect(secretFiles(objects)).to.include('redis-password<-managed-redis/redis-password');
  });

  it('external-cluster: the cluster nodes instead of REDIS_URL, no password, no replica acknowledgement by default', async function () {
    const objects = await renderValuesFile(fileFor('external-cluster'));
    const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
    const names = env.map((e) => e.name);
    expect(names).to.include('REDIS_CLUSTER_NODES');
    expect(names.filter((name) => ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_PASSWORD', 'REDIS_MIN_REPLICAS_ACK'].includes(name))).to.deep.equal([]);
    expect(env.find((e) => e.name === 'REDIS_CLUSTER_NODES')?.value).to.equal('views.abc123.clustercfg.euw1.cache.amazonaws.com:6379');
  });

  it('external Redis without a password: no REDIS_PASSWORD and no Secret but the visitor cookie key', async function () {
    const objects = await renderChart({ sets: { 'redis.enabled': 'false', 'externalRedis.host': 'redis.internal' } });
    const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.map((e) => e.name)).not.to.include.members(['REDIS_PASSWORD', 'REDIS_PASSWORD_FILE']);
    expect(secretFiles(objects)).to.deep.equal(['visitor-secret<-page-tracker-visitor/visitor-secret']);
    expect(ofKind(objects, 'Secret').map((secret) => secret.metadata.name)).to.deep.equal(['page-tracker-visitor']);
  });

  it('existing-secret: no Secret made for the passwords given; Redis, its probes and the app read the named ones', async function () {
    const objects = await renderValuesFile(fileFor('existing-secret'));
    expect(ofKind(objects, 'Secret').map((secret) => secret.metadata.name), 'only the probe user\'s password').to.deep.equal(['page-tracker-redis-users']);
    const refs = [oneOf(objects, 'Deployment', 'page-tracker'), oneOf(objects, 'StatefulSet', 'page-tracker-redis')]
      .flatMap((w) => w.spec?.template.spec?.containers ?? [])
      .flatMap((c) => c.env ?? [])
      .filter((e) => e.valueFrom?.secretKeyRef)
      .map((e) => `${e.name}<-${e.valueFrom?.secretKeyRef?.name}/${e.valueFrom?.secretKeyRef?.key}`);
    expect(refs).to.deep.equal([
      'REDIS_PASSWORD<-page-tracker-redis-auth/password',
      'REDIS_PROBE_PASSWORD<-page-tracker-redis-users/probe-password',
      'REDISCLI_AUTH<-page-tracker-redis-users/probe-password',
    ]);
    expect(secretFiles(objects)).to.deep.equal(['redis-password<-page-tracker-redis-auth/password', 'visitor-secret<-page-tracker-visitor-key/key']);
  });

  it('makes the visitor cookie key Secret (48 random characters, a new one per install) unless one is named', async function () {
    const keyOf = async (): Promise<string> => {
      const objects = await renderChart({});
      const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
      expect(env.find((e) => e.name === 'VISITOR_SECRET_FILE')?.value).to.equal('/run/secrets/page-tracker/visitor-secret');
      expect(secretFiles(objects)).to.include('visitor-secret<-page-tracker-visitor/visitor-secret');
      return Buffer.from(oneOf(objects, 'Secret', 'page-tracker-visitor').data?.['visitor-secret'] ?? '', 'base64').toString();
    };
    const [first, second] = await Promise.all([keyOf(), keyOf()]);
    expect(first).to.match(/^[A-Za-z0-9]{48}$/);
    expect(second).to.not.equal(first);
  });

  it('sets the abuse budget and PAGE_PATTERN from config', async function () {
    const objects = await renderChart({ sets: { 'config.rateLimitViewsPerMinute': '0', 'config.newPagesPerClientPerHour': '5' }, setStrings: { 'config.pagePattern': 'blog/.+' } });
    const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
    expect(Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]))).to.include({
      RATE_LIMIT_VIEWS_PER_MINUTE: '0',
      NEW_PAGES_PER_CLIENT_PER_HOUR: '5',
      PAGE_PATTERN: 'blog/.+',
    });
  });

  it('rolls the app and Redis pods when the password changes: their checksum annotation follows the password (salted)', async function () {
    // The salt is kept across upgrades by lookup (test/cluster/chart.test.ts upgrades without a roll); a
    // render without a cluster makes a new one, so each render is checked against its own stored salt.
    for (const password of ['first-password', 'second-password']) {
      const objects = await renderChart({ setStrings: { 'redis.auth.password': password } });
      const salt = Buffer.from(oneOf(objects, 'Secret', 'page-tracker-redis').data?.['checksum-salt'] ?? '', 'base64').toString();
      const expected = createHash('sha256').update(`${salt}:${password}`).digest('hex').slice(0, 16);
      for (const workload of [oneOf(objects, 'Deployment', 'page-tracker'), oneOf(objects, 'StatefulSet', 'page-tracker-redis')]) {
        expect(workload.spec?.template.metadata?.annotations?.['checksum/secret'], `${workload.kind} with ${password}`).to.equal(expected);
      }
    }
  });

  it('rolls Redis when redis.conf changes (checksum annotation)', async function () {
    const checksum = async (appendfsync: string): Promise<string | undefined> =>
      oneOf(await renderChart({ setStrings: { 'redis.config.appendfsync': appendfsync } }), 'StatefulSet', 'page-tracker-redis')
        .spec?.template.metadata?.annotations?.['checksum/config'];
    expect(await checksum('always')).not.to.equal(await checksum('everysec'));
  });

  it('passes scheduling, labels and extra env through to the app pods', async function () {
    const objects = await renderChart({
      sets: {
        'podLabels.team': 'web', 'commonLabels.cost-center': 'cc-1', 'nodeSelector.disktype': 'ssd',
        'priorityClassName': 'high', 'tolerations[0].key': 'dedicated', 'tolerations[0].operator': 'Exists',
        'extraEnv[0].name': 'HOST', 'extraEnv[0].value': '0.0.0.0',
      },
    });
    const deployment = oneOf(objects, 'Deployment', 'page-tracker');
    const pod = deployment.spec?.template;
    expect(pod?.metadata?.labels).to.include({ team: 'web', 'cost-center': 'cc-1' });
    expect(deployment.metadata.labels).to.include({ 'cost-center': 'cc-1' });
    expect(pod?.spec?.nodeSelector).to.deep.equal({ disktype: 'ssd' });
    expect(pod?.spec?.priorityClassName).to.equal('high');
    expect(pod?.spec?.tolerations).to.deep.equal([{ key: 'dedicated', operator: 'Exists' }]);
    expect(pod?.spec?.containers[0]?.env?.at(-1)).to.deep.equal({ name: 'HOST', value: '0.0.0.0' });
  });

  it('carries the standard labels on every object', async function () {
    for (const obj of await renderValuesFile(fileFor('monitoring'))) {
      expect(Object.keys(obj.metadata.labels ?? {}), `${obj.kind}/${obj.metadata.name}`).to.include.members([
        'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/component',
        'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'helm.sh/chart',
      ]);
    }
  });
});
