// The store contract through Sentinel and through a real three-primary Redis Cluster, and the replica
// acknowledgement (REDIS_MIN_REPLICAS_ACK) on both. Failover under load is in test/resilience/redis-failover.test.ts.
import { expect } from 'chai';
import { Cluster, Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '../../src/errors.js';
import { dayOf } from '../../src/days.js';
import { createMetrics } from '../../src/metrics.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { RedisStore, type RedisTarget } from '../../src/store/redis.js';
import { waitFor } from '../support/processes.js';
import { startRedisCluster, startSentinelSet, type RedisClusterSet, type SentinelSet } from '../support/redis-ha.js';
import { memoryLogger } from '../support/silent-logger.js';
import { rejectionOf, viewStoreContract, type ContractStoreOptions } from '../support/view-store-contract.js';

interface HaStoreOptions extends Omit<ContractStoreOptions, 'maxPages'> {
  maxPages?: number;
  keyPrefix?: string;
  password?: string;
  minReplicasAck?: number;
  replicasAckTimeoutMs?: number;
}

async function connectedStore(target: RedisTarget, { maxPages = 100, keyPrefix = `ha-${randomUUID()}:`, password, ...options }: HaStoreOptions = {}): Promise<RedisStore> {
  const store = new RedisStore({
    ...target,
    password,
    keyPrefix,
    commandTimeoutMs: 2000,
    maxPages,
    ...options,
    metrics: createMetrics({ version: 'test' }),
    logger: memoryLogger().logger,
  });
  await waitFor('the Redis store to connect', () => store.ping().then(() => true), 10_000);
  return store;
}

describe('RedisStore through Sentinel (a primary, 2 replicas, 3 Sentinels, all with a password)', function () {
  this.timeout(60_000);
  let set: SentinelSet;
  let target: RedisTarget;
  before(async function () {
    set = await startSentinelSet({ replicas: 2, sentinels: 3, password: 'data-and-sentinel-pw', sentinelPassword: 'data-and-sentinel-pw' });
    target = { sentinel: { sentinels: set.sentinelAddresses, name: set.name, password: 'data-and-sentinel-pw' } };
  });
  after(async () => {
    await set?.cleanup();
  });

  viewStoreContract((options) => connectedStore(target, { ...options, password: 'data-and-sentinel-pw' }));

  it('writes to the primary the Sentinels name, under the same key names as a standalone Redis', async () => {
    const keyPrefix = `named-${randomUUID()}:`;
    const store = await connectedStore(target, { keyPrefix, password: 'data-and-sentinel-pw' });
    const raw = new Redis(set.primary.url, { password: 'data-and-sentinel-pw' });
    try {
      await store.recordView({ page: 'a', visitorId: 'v' });
      expect(await raw.zscore(redisKeys(keyPrefix).ranking, 'a')).to.equal('1');
      expect(redisKeys(keyPrefix).ranking).to.equal(`${keyPrefix}ranking`);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  it('with REDIS_MIN_REPLICAS_ACK=2 a view is answered once both replicas hold it', async () => {
    const keyPrefix = `acked-${randomUUID()}:`;
    const store = await connectedStore(target, { keyPrefix, password: 'data-and-sentinel-pw', minReplicasAck: 2, replicasAckTimeoutMs: 1000 });
    try {
      expect((await store.recordView({ page: 'a', visitorId: 'v' })).stats.views).to.equal(1);
      for (const replica of set.replicas) {
        const raw = new Redis(replica.url, { password: 'data-and-sentinel-pw' });
        try {
          // WAIT returned, so the replica has applied the write: read at once, no polling.
          expect(await raw.zscore(redisKeys(keyPrefix).ranking, 'a'), `replica ${replica.port}`).to.equal('1');
        } finally {
          raw.disconnect();
        }
      }
    } finally {
      await store.close();
    }
  });

  it('with more replicas required than exist, every view of the batch is a 503 naming the shortfall, and a keyed retry is counted once', async () => {
    const keyPrefix = `short-${randomUUID()}:`;
    const store = await connectedStore(target, { keyPrefix, password: 'data-and-sentinel-pw', minReplicasAck: 3, replicasAckTimeoutMs: 200 });
    const relaxed = await connectedStore(target, { keyPrefix, password: 'data-and-sentinel-pw' });
    try {
      const started = Date.now();
      const errors = await Promise.all([
        rejectionOf(store.recordView({ page: 'a', visitorId: 'v1', idempotencyKey: 'k1' })),
        rejectionOf(store.recordView({ page: 'a', visitorId: 'v2' })),
      ]);
      expect(Date.now() - started, 'the 503 comes after the WAIT timeout, not the command timeout').to.be.below(1500);
      for (const error of errors) {
        expect(error).to.be.instanceOf(StoreUnavailableError);
        expect((error as StoreUnavailableError).reason).to.equal('2 of the 3 replicas required (REDIS_MIN_REPLICAS_ACK) acknowledged the write within 200 ms');
      }
      // The write did land on the primary (and its two replicas): a retry with the key is a duplicate.
      const retry = await relaxed.recordView({ page: 'a', visitorId: 'v1', idempotencyKey: 'k1' });
      expect(retry.replayed).to.equal(true);
      expect((await relaxed.getPage('a')).views).to.equal(2);
    } finally {
      await store.close();
      await relaxed.close();
    }
  });
});

describe('RedisStore on a real Redis Cluster (3 primaries, 1 replica each, made by redis-cli --cluster create)', function () {
  this.timeout(60_000);
  let cluster: RedisClusterSet;
  let target: RedisTarget;
  before(async function () {
    cluster = await startRedisCluster(3, 1);
    target = { clusterNodes: cluster.seeds };
  });
  after(async () => {
    await cluster?.cleanup();
  });

  viewStoreContract((options) => connectedStore(target, options));

  it('every key carries the prefix as one hash tag, so all of them live in one slot on one primary', async () => {
    const keyPrefix = `tagged-${randomUUID()}:`;
    const store = await connectedStore(target, { keyPrefix, budget: { viewsPerWindow: 100, viewsWindowMs: 60_000, newPagesPerWindow: 100, newPagesWindowMs: 3_600_000 } });
    const raw = new Cluster(cluster.seeds.map(({ host, port }) => ({ host, port })));
    try {
      await store.recordView({ page: 'a', visitorId: 'v', idempotencyKey: 'k', client: '192.0.2.1' });
      await store.recordView({ page: 'b', visitorId: 'v', client: '192.0.2.1' });
      await store.recordView({ page: 'a', visitorId: 'w', client: '192.0.2.1' });
      const keys = redisKeys(keyPrefix, { hashTag: true });
      expect(keys.ranking).to.equal(`{${keyPrefix}}ranking`);
      const owner = await cluster.primaryFor(keys.ranking);
      const node = new Redis(owner.url);
      try {
        // The slot's primary alone holds every key the views wrote.
        const found = (await node.keys(`{${keyPrefix}}*`)).sort();
        // The all-time keys (first-seen among them), the day's (ranking, total, a visitors key per page), the idempotency key and two budget keys.
        expect(found).to.have.length(12);
        const day = dayOf(Date.now());
        expect(found).to.include.members([keys.ranking, keys.total, keys.firstSeen, keys.visitors('a'), keys.visitors('b'), keys.idempotency('k'), keys.dayRanking(day), keys.dayTotal(day), keys.dayVisitors(day, 'a'), keys.dayVisitors(day, 'b')]);
        const slots = new Set(await Promise.all(found.map((key) => raw.call('CLUSTER', 'KEYSLOT', key))));
        expect(slots.size).to.equal(1);
      } finally {
        node.disconnect();
      }
      expect(await store.topPages(10)).to.deep.equal({ pages: [{ page: 'a', views: 2 }, { page: 'b', views: 1 }], total: 3 });
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  it('with REDIS_MIN_REPLICAS_ACK=1 the WAIT reaches the primary that ran the script (its replica holds the view); 2 is a 503', async () => {
    const keyPrefix = `acked-${randomUUID()}:`;
    const acked = await connectedStore(target, { keyPrefix, minReplicasAck: 1, replicasAckTimeoutMs: 1000 });
    const short = await connectedStore(target, { keyPrefix, minReplicasAck: 2, replicasAckTimeoutMs: 200 });
    try {
      expect((await acked.recordView({ page: 'a', visitorId: 'v' })).stats.views).to.equal(1);
      const ranking = redisKeys(keyPrefix, { hashTag: true }).ranking;
      const owner = await cluster.primaryFor(ranking);
      let replicaCopies = 0;
      for (const node of cluster.nodes) {
        if (node === owner) continue;
        const raw = new Redis(node.url);
        try {
          await raw.call('READONLY');
          const score = await raw.zscore(ranking, 'a').catch(() => null);
          if (score === '1') replicaCopies += 1;
        } finally {
          raw.disconnect();
        }
      }
      expect(replicaCopies, 'replicas holding the view when its 200 came').to.equal(1);
      const error = await rejectionOf(short.recordView({ page: 'a', visitorId: 'v' }));
      expect(error).to.be.instanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).reason).to.match(/^1 of the 2 replicas required \(REDIS_MIN_REPLICAS_ACK\) acknowledged/);
    } finally {
      await acked.close();
      await short.close();
    }
  });
});
