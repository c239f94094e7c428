// redis.architecture replication as rendered: one StatefulSet whose pods each run Redis and a Sentinel, the
// app wired to the Sentinels, the ACL users of replication and of the Sentinels, the network rules, the
// disruption budget and the anti-affinity. test/integration/redis-replication.test.ts starts what these
// objects hold with real redis-server processes and fails the primary over.
import { expect } from 'chai';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { renderChart, renderChartError } from '../support/chart.js';
import type { KubeObject } from '../support/kube-object.js';
import { oneOf, ofKind } from '../support/kube-typed.js';
import { podTemplatesOf, restrictedViolations } from '../support/pod-security.js';
import { selects } from '../support/wiring.js';

const replication = { 'redis.architecture': 'replication' };
const host = (i: number): string => `page-tracker-redis-${i}.page-tracker-redis-headless.page-tracker.svc.cluster.local`;

function redisSet(objects: readonly KubeObject[]): ReturnType<typeof oneOf<'StatefulSet'>> {
  return oneOf(objects, 'StatefulSet', 'page-tracker-redis');
}

function appEnv(objects: readonly KubeObject[]): Map<string, string | undefined> {
  const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
  return new Map(env.map((e) => [e.name, e.value]));
}

function container(objects: readonly KubeObject[], name: string): IContainer {
  const found = redisSet(objects).spec?.template.spec?.containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name} in StatefulSet/page-tracker-redis`);
  return found;
}

describe('chart: redis.architecture replication (primary, replicas, Sentinels)', function () {
  let objects: KubeObject[];
  before(async function () {
    objects = await renderChart({ sets: { ...replication, 'redis.exporter.enabled': 'true' } });
  });

  it('keeps standalone the default: one Redis pod, no Sentinel, no Redis budget, the app on REDIS_URL', async function () {
    const standalone = await renderChart();
    expect(redisSet(standalone).spec?.replicas).to.equal(1);
    expect(redisSet(standalone).spec?.template.spec?.containers.map((c) => c.name)).to.deep.equal(['redis']);
    expect(ofKind(standalone, 'PodDisruptionBudget').map((p) => p.metadata.name)).to.deep.equal(['page-tracker']);
    expect(appEnv(standalone).get('REDIS_URL')).to.equal('redis://page-tracker-redis:6379');
    expect(appEnv(standalone).has('REDIS_SENTINELS')).to.equal(false);
    expect(oneOf(standalone, 'ConfigMap', 'page-tracker-redis').data).to.have.all.keys('redis.conf', 'users.acl');
  });

  it('runs redis.replicas pods (3 by default), each with Redis, a Sentinel on 26379 and the exporter', function () {
    expect(redisSet(objects).spec?.replicas).to.equal(3);
    expect(redisSet(objects).spec?.template.spec?.containers.map((c) => c.name)).to.deep.equal(['redis', 'sentinel', 'redis-exporter']);
    expect(container(objects, 'sentinel').ports).to.deep.equal([{ name: 'sentinel', containerPort: 26379, protocol: 'TCP' }]);
    expect(container(objects, 'sentinel').image, 'the Redis image, whose redis-server runs as Sentinel').to.equal(container(objects, 'redis').image);
    expect(container(objects, 'redis-exporter').env?.find((e) => e.name === 'REDIS_ADDR')?.value, 'each pod\'s own Redis').to.equal('redis://127.0.0.1:6379');
  });

  it('wires the app to the pods\' Sentinels by stable host name, with the password of the app user', function () {
    const env = appEnv(objects);
    expect(env.get('REDIS_SENTINELS')).to.equal([0, 1, 2].map((i) => `${host(i)}:26379`).join(','));
    expect(env.get('REDIS_SENTINEL_NAME')).to.equal('page-tracker');
    expect(env.has('REDIS_URL')).to.equal(false);
    expect(env.has('REDIS_SENTINEL_PASSWORD'), 'the service falls back to REDIS_PASSWORD(_FILE)').to.equal(false);
    expect(env.get('REDIS_PASSWORD_FILE')).to.equal('/run/secrets/page-tracker/redis-password');
    expect(env.get('REDIS_USERNAME')).to.equal('page-tracker');
  });

  it('follows redis.replicas, redis.sentinel.masterSet and clusterDomain in the app\'s and the pods\' host names', async function () {
    const five = await renderChart({ sets: { ...replication, 'redis.replicas': '5', 'redis.sentinel.masterSet': 'counts', clusterDomain: 'k8s.example' } });
    expect(redisSet(five).spec?.replicas).to.equal(5);
    const sentinels = appEnv(five).get('REDIS_SENTINELS')?.split(',') ?? [];
    expect(sentinels).to.have.length(5);
    expect(sentinels[4]).to.equal('page-tracker-redis-4.page-tracker-redis-headless.page-tracker.svc.k8s.example:26379');
    expect(appEnv(five).get('REDIS_SENTINEL_NAME')).to.equal('counts');
    const sentinelEnv = new Map((container(five, 'sentinel').env ?? []).map((e) => [e.name, e.value]));
    expect(sentinelEnv.get('REDIS_NODES')?.split(' ')).to.deep.equal(sentinels.map((s) => s.replace(/:26379$/, '')));
    expect(sentinelEnv.get('REDIS_HOST')).to.equal('$(POD_NAME).page-tracker-redis-headless.page-tracker.svc.k8s.example');
    expect(container(five, 'sentinel').args?.[0]).to.include('sentinel monitor counts %s 6379 2');
  });

  it('gives replicas and Sentinels the ACL users Redis documents for them, with passwords from the users Secret', function () {
    const acl = oneOf(objects, 'ConfigMap', 'page-tracker-redis').data?.['users.acl'] ?? '';
    expect(acl).to.include('user replicator reset on #@REPLICATION_PASSWORD_SHA256@ -@all +psync +replconf +ping\n');
    expect(acl).to.include('user sentinel reset on #@SENTINEL_PASSWORD_SHA256@ resetchannels &* -@all +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill');
    expect(acl, 'still no key for either').not.to.match(/user (replicator|sentinel) .*~/);
    const users = oneOf(objects, 'Secret', 'page-tracker-redis-users');
    expect(Object.keys(users.data ?? {})).to.have.members(['probe-password', 'exporter-password', 'replication-password', 'sentinel-password']);
    const keyOf = (c: string, name: string): string | undefined => container(objects, c).env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.key;
    expect(keyOf('redis', 'REDIS_REPLICATION_PASSWORD')).to.equal('replication-password');
    expect(keyOf('redis', 'REDIS_SENTINEL_USER_PASSWORD')).to.equal('sentinel-password');
    expect(keyOf('sentinel', 'REDIS_SENTINEL_USER_PASSWORD')).to.equal('sentinel-password');
    expect(keyOf('sentinel', 'REDIS_PASSWORD'), 'the Sentinels\' requirepass: the app user\'s password').to.equal('redis-password');
    const conf = oneOf(objects, 'ConfigMap', 'page-tracker-redis').data?.['redis.conf'] ?? '';
    expect(conf).to.include('include /run/redis/replication.conf');
    expect(conf, 'maxmemory, AOF and the ACL file as in standalone').to.include('appendonly yes').and.include('aclfile /run/redis/users.acl').and.include('include /run/redis/maxmemory.conf');
  });

  it('names pods by host name in Sentinel (resolve-hostnames, announce-hostnames) and in replication (replica-announce-ip)', function () {
    const sentinelConf = oneOf(objects, 'ConfigMap', 'page-tracker-redis').data?.['sentinel.conf'] ?? '';
    expect(sentinelConf).to.include('sentinel resolve-hostnames yes').and.include('sentinel announce-hostnames yes');
    expect(container(objects, 'sentinel').args?.[0]).to.include("sentinel announce-ip %s\\n' \"$REDIS_HOST\"");
    expect(container(objects, 'redis').args?.[0]).to.include("replica-announce-ip %s\\n' \"$REDIS_HOST\"").and.include('masteruser replicator');
  });

  it('probes the Sentinel as the probe user, which may only PING', function () {
    const sentinel = container(objects, 'sentinel');
    for (const probe of [sentinel.startupProbe, sentinel.livenessProbe, sentinel.readinessProbe]) {
      expect(probe?.exec?.command?.[2]).to.equal('test "$(redis-cli --user probe -h 127.0.0.1 -p 26379 ping)" = PONG');
    }
    expect(sentinel.env?.find((e) => e.name === 'REDISCLI_AUTH')?.valueFrom?.secretKeyRef?.key).to.equal('probe-password');
    expect(sentinel.args?.[0]).to.include("user probe on #%s -@all +ping");
  });

  it('lets the app reach Redis and Sentinels, and the Redis pods each other on both ports and DNS', function () {
    const redisLabels = redisSet(objects).spec?.template.metadata?.labels ?? {};
    const appLabels = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.metadata?.labels ?? {};
    const app = oneOf(objects, 'NetworkPolicy', 'page-tracker').spec?.egress ?? [];
    expect(app[1]?.ports).to.deep.equal([{ port: 6379, protocol: 'TCP' }, { port: 26379, protocol: 'TCP' }]);
    expect(selects(app[1]?.to?.[0]?.podSelector, redisLabels)).to.equal(true);
    const redis = oneOf(objects, 'NetworkPolicy', 'page-tracker-redis').spec;
    expect(redis?.egress?.map((r) => (r.ports ?? []).map((p) => `${p.protocol}/${p.port}`).join(','))).to.deep.equal(['UDP/53,TCP/53', 'TCP/6379,TCP/26379']);
    expect(redis?.egress?.[0]?.to, 'DNS anywhere, as for the app (networkPolicy.dns.to)').to.equal(undefined);
    expect(redis?.egress?.[1]?.to).to.have.length(1);
    expect(selects(redis?.egress?.[1]?.to?.[0]?.podSelector, redisLabels)).to.equal(true);
    const ingress = redis?.ingress?.[0];
    expect(ingress?.ports).to.deep.equal([{ port: 'redis', protocol: 'TCP' }, { port: 'sentinel', protocol: 'TCP' }]);
    expect(ingress?.from?.map((peer) => [selects(peer.podSelector, appLabels), selects(peer.podSelector, redisLabels), peer.namespaceSelector])).to.deep.equal([
      [true, false, undefined],
      [false, true, undefined],
    ]);
    const narrowed = oneOf(objects, 'NetworkPolicy', 'page-tracker-redis');
    expect(narrowed.spec?.ingress?.[1]?.ports, 'metrics from Prometheus only').to.deep.equal([{ port: 'metrics', protocol: 'TCP' }]);
  });

  it('takes the Redis pods\' DNS peers from networkPolicy.dns.to', async function () {
    const narrowed = await renderChart({ sets: { ...replication, 'networkPolicy.dns.to[0].ipBlock.cidr': '10.96.0.10/32' } });
    expect(oneOf(narrowed, 'NetworkPolicy', 'page-tracker-redis').spec?.egress?.[0]?.to).to.deep.equal([{ ipBlock: { cidr: '10.96.0.10/32' } }]);
  });

  it('exposes the Sentinels, not a Redis port that would reach replicas, on the Service; both on the headless one', function () {
    const ports = (name: string): string[] => (oneOf(objects, 'Service', name).spec?.ports ?? []).map((p) => `${p.name}:${p.port}`);
    expect(ports('page-tracker-redis')).to.deep.equal(['sentinel:26379', 'metrics:9121']);
    expect(ports('page-tracker-redis-headless')).to.deep.equal(['redis:6379', 'sentinel:26379']);
  });

  it('makes a PodDisruptionBudget for Redis with maxUnavailable 1', function () {
    const pdb = oneOf(objects, 'PodDisruptionBudget', 'page-tracker-redis');
    expect(pdb.spec?.maxUnavailable).to.equal(1);
    expect(selects(pdb.spec?.selector, redisSet(objects).spec?.template.metadata?.labels ?? {})).to.equal(true);
  });

  it('spreads the pods over nodes: soft by default, hard on request, redis.affinity replacing both', async function () {
    const redisLabels = redisSet(objects).spec?.template.metadata?.labels ?? {};
    const soft = redisSet(objects).spec?.template.spec?.affinity?.podAntiAffinity;
    expect(soft?.requiredDuringSchedulingIgnoredDuringExecution).to.equal(undefined);
    const preferred = soft?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(preferred).to.have.length(1);
    expect(preferred[0]?.weight).to.equal(100);
    expect(preferred[0]?.podAffinityTerm.topologyKey).to.equal('kubernetes.io/hostname');
    expect(selects(preferred[0]?.podAffinityTerm.labelSelector ?? undefined, redisLabels)).to.equal(true);
    const hard = redisSet(await renderChart({ sets: { ...replication, 'redis.podAntiAffinity': 'hard' } })).spec?.template.spec?.affinity?.podAntiAffinity;
    expect(hard?.preferredDuringSchedulingIgnoredDuringExecution).to.equal(undefined);
    expect(hard?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey).to.equal('kubernetes.io/hostname');
    expect(selects(hard?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.labelSelector ?? undefined, redisLabels)).to.equal(true);
    const own = await renderChart({ sets: { ...replication, 'redis.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key': 'disk', 'redis.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator': 'Exists' } });
    expect(Object.keys(redisSet(own).spec?.template.spec?.affinity ?? {})).to.deep.equal(['nodeAffinity']);
  });

  it('keeps every container PSS "restricted", the Sentinel writing only to memory and /tmp volumes', function () {
    const pod = podTemplatesOf(objects).find((t) => t.owner === 'StatefulSet/page-tracker-redis');
    expect(pod).to.not.equal(undefined);
    expect(restrictedViolations(pod!)).to.deep.equal([]);
    const sentinel = container(objects, 'sentinel');
    expect(sentinel.securityContext?.readOnlyRootFilesystem).to.equal(true);
    expect(sentinel.volumeMounts?.filter((m) => m.readOnly !== true).map((m) => m.mountPath)).to.deep.equal(['/run/sentinel', '/tmp']);
    const volume = pod!.spec.volumes?.find((v) => v.name === 'sentinel');
    expect(volume?.emptyDir).to.deep.equal({ medium: 'Memory', sizeLimit: '1Mi' });
  });

  it('refuses an unknown architecture or anti-affinity, fewer than 3 pods, a quorum above them, an acknowledgement no failover leaves', async function () {
    expect(await renderChartError({ sets: { 'redis.architecture': 'sentinel' } })).to.match(/architecture.*(must be one of|value must be).*standalone.*replication/s);
    expect(await renderChartError({ sets: { ...replication, 'redis.podAntiAffinity': 'always' } })).to.match(/podAntiAffinity/);
    expect(await renderChartError({ sets: { ...replication, 'redis.replicas': '2' } })).to.match(/replicas.*minimum|replicas.*must be >= 3/s);
    expect(await renderChartError({ sets: { ...replication, 'redis.sentinel.quorum': '4' } })).to.match(/redis.sentinel.quorum \(4\) must not exceed redis.replicas \(3\)/);
    expect(await renderChartError({ sets: { ...replication, 'config.redisMinReplicasAck': '2' } })).to.match(/config.redisMinReplicasAck \(2\) must be at most redis.replicas - 2 \(1\)/);
    expect(await renderChartError({ sets: { ...replication, 'redis.auth.username': 'replicator' } })).to.match(/username/);
  });
});
