// The chart's redis.architecture replication, as rendered, with real processes (test/support/chart-redis-set.ts):
// three pods' Redis and Sentinel start-up scripts form a primary, two replicas and three Sentinels that
// authenticate as the chart's ACL users; the built service, wired as the Deployment wires it, counts views
// through them with REDIS_MIN_REPLICAS_ACK=1; the primary's node is lost (both processes SIGKILLed) under
// load, and the pod that comes back rejoins as a replica of the new primary.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { redisKeys } from '../../src/store/redis-keys.js';
import { prepareChartRedisSet, type ChartNode, type ChartRedisSet, type ChartRedisSetPasswords } from '../support/chart-redis-set.js';
import { describeFailover, failoverUnderLoad, stackOn, type HaStack } from '../support/failover-run.js';
import { waitFor } from '../support/processes.js';
import { ONE_CLIENT_LOAD_ENV } from '../support/service.js';

const PASSWORDS: ChartRedisSetPasswords = {
  app: 'app password "with" quotes\\ and spaces',
  probe: 'probe-password-for-replication-test',
  exporter: 'exporter-password-for-replication-test',
  replication: 'replication "password" with spaces',
  sentinel: 'sentinel-user password\\"',
};
const VALUES = {
  redis: { auth: { password: PASSWORDS.app }, sentinel: { downAfterMilliseconds: 1000, failoverTimeout: 5000 } },
  config: { redisMinReplicasAck: 1 },
};

describe('redis.architecture replication as rendered, with real redis-server and Sentinel processes', function () {
  this.timeout(90_000);
  let set: ChartRedisSet;
  let secrets: string;

  const asSentinelUser = (node: ChartNode, ...args: string[]): Promise<string> => set.cli(node, 6379, 'sentinel', PASSWORDS.sentinel, ...args);
  const askSentinel = (node: ChartNode, ...args: string[]): Promise<string> => set.cli(node, 26379, undefined, PASSWORDS.app, 'sentinel', ...args);
  const setName = (): string => set.appEnv.REDIS_SENTINEL_NAME!;

  /** A replica's INFO replication, once it is linked to the primary. */
  async function linkedTo(node: ChartNode, primary: ChartNode): Promise<void> {
    await waitFor(`${node.pod} replicating from ${primary.pod}`, async () => {
      const info = await asSentinelUser(node, 'info', 'replication');
      return info.includes('role:slave') && info.includes(`master_host:${primary.host}`) && info.includes('master_link_status:up') ? true : undefined;
    }, 20_000, 200);
  }

  before(async function () {
    set = await prepareChartRedisSet(VALUES, PASSWORDS);
    secrets = await mkdtemp(path.join(os.tmpdir(), 'replication-secrets-'));
    // The pods start in order, each once the one before is ready, as the StatefulSet starts them.
    for (const node of set.nodes) await node.start();
  });

  after(async function () {
    await set?.cleanup();
    if (secrets) await rm(secrets, { recursive: true, force: true });
  });

  it('forms a primary (pod 0, nobody answering when it starts) and two replicas linked as the replicator user', async function () {
    const [first, ...rest] = set.nodes;
    expect((await asSentinelUser(first!, 'role')).split('\n')[0]).to.equal('master');
    for (const node of rest) await linkedTo(node, first!);
    expect(await asSentinelUser(first!, 'info', 'replication')).to.match(/connected_slaves:2/);
  });

  it('has each Sentinel find the replicas and the other Sentinels by the pods\' host names', async function () {
    const hosts = set.nodes.map((n) => n.host);
    let last = '';
    for (const node of set.nodes) {
      await waitFor(`${node.pod}'s Sentinel to know the whole set`, async () => {
        const replicas = await askSentinel(node, 'replicas', setName());
        const sentinels = await askSentinel(node, 'sentinels', setName());
        // Each entry is field/value lines; its address is the line after "ip".
        const known = (text: string): string[] => text.split('\n').filter((_, i, lines) => lines[i - 1] === 'ip').filter((ip) => hosts.includes(ip)).sort();
        last = `replicas: ${known(replicas).join(' ')}; sentinels: ${known(sentinels).join(' ')}`;
        const others = hosts.filter((h) => h !== node.host);
        const replicaHosts = hosts.slice(1);
        return JSON.stringify(known(replicas)) === JSON.stringify(replicaHosts) && JSON.stringify(known(sentinels)) === JSON.stringify(others) ? true : undefined;
      }, 20_000, 250).catch((error: unknown) => {
        throw new Error(`${String(error)}; last seen ${last}`);
      });
      expect((await askSentinel(node, 'get-master-addr-by-name', setName())).split('\n')).to.deep.equal([set.nodes[0]!.host, '6379']);
    }
  });

  it('guards the Sentinels with the app user\'s password and lets the probe user only PING them', async function () {
    const node = set.nodes[1]!;
    expect(await set.cli(node, 26379, undefined, undefined, 'sentinel', 'masters')).to.match(/NOAUTH/);
    expect(await set.cli(node, 26379, undefined, undefined, 'auth', 'wrong')).to.match(/WRONGPASS/);
    expect(await set.cli(node, 26379, 'probe', PASSWORDS.probe, 'ping')).to.equal('PONG');
    expect(await set.cli(node, 26379, 'probe', PASSWORDS.probe, 'sentinel', 'masters')).to.match(/NOPERM/);
  });

  it('gives the replicator and sentinel users of the data nodes no key and no write, and keeps the default user off', async function () {
    const primary = set.nodes[0]!;
    for (const user of ['replicator', 'sentinel'] as const) {
      const password = user === 'replicator' ? PASSWORDS.replication : PASSWORDS.sentinel;
      for (const command of [['get', 'page-tracker:total'], ['set', 'x', '1'], ['flushall'], ['config', 'set', 'appendonly', 'no'], ['acl', 'list']]) {
        expect(await set.cli(primary, 6379, user, password, ...command), `${user}: ${command.join(' ')}`).to.match(/NOPERM/);
      }
    }
    expect(await set.cli(primary, 6379, undefined, undefined, 'ping')).to.match(/NOAUTH/);
  });

  describe('losing the primary\'s node under load, the app wired as the Deployment wires it', function () {
    let stack: HaStack;
    let lost: ChartNode | undefined;

    before(async function () {
      const passwordFile = path.join(secrets, 'redis-password');
      await writeFile(passwordFile, PASSWORDS.app);
      expect(set.appEnv.REDIS_PASSWORD_FILE).to.equal('/run/secrets/page-tracker/redis-password');
      expect(set.appEnv.REDIS_MIN_REPLICAS_ACK).to.equal('1');
      const env: Record<string, string> = { ...set.appEnv, ...ONE_CLIENT_LOAD_ENV, REDIS_PASSWORD_FILE: passwordFile };
      const total = redisKeys(set.appEnv.REDIS_KEY_PREFIX ?? '').total;
      // The set outlives the service: the last test restarts the lost pod; the outer after() stops it all.
      stack = await stackOn(env, total, () => set.primary(), { username: set.appEnv.REDIS_USERNAME ?? '', password: PASSWORDS.app }, () => Promise.resolve());
    });

    after(async function () {
      await stack?.stop();
    });

    it('answers only 200 or a fast 503, resumes after the promotion without a restart, and loses no view answered 200', async function () {
      lost = await set.primary();
      const outcome = await failoverUnderLoad(stack, { afterPromotionMs: 4000 });
      console.log(`      figure: chart replication, primary's node SIGKILLed, REDIS_MIN_REPLICAS_ACK=1: ${describeFailover(outcome)}`);
      expect(Object.keys(outcome.statuses).filter((s) => s !== '200' && s !== '503')).to.deep.equal([]);
      expect(outcome.acknowledged).to.be.greaterThan(0);
      expect(outcome.slowest503Ms).to.be.below(1500);
      expect(outcome.resumedAfterPromotionMs, 'first 200 after the promotion').to.be.below(5000);
      expect(outcome.sameProcess).to.equal(true);
      expect(outcome.crashSigns).to.deep.equal([]);
      expect(outcome.lost, 'views answered 200 missing from the new primary').to.equal(0);
      expect((await set.primary()).pod).not.to.equal(lost.pod);
    });

    it('brings the lost pod back as a replica of the new primary, its Sentinel watching that primary', async function () {
      if (lost === undefined) throw new Error('the failover test did not run');
      const primary = await set.primary();
      const back = lost;
      await back.start();
      await linkedTo(back, primary);
      expect(back.logs()).to.include(`primary: ${primary.host}`);
      expect((await askSentinel(back, 'get-master-addr-by-name', setName())).split('\n')[0]).to.equal(primary.host);
    });
  });
});
