import { expect } from 'chai';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createMetrics } from '../../src/metrics.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { RedisStore } from '../../src/store/redis.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { memoryLogger } from '../support/silent-logger.js';
import { OVERSHOOTING_VISITORS, viewStoreContract } from '../support/view-store-contract.js';

describe('RedisStore against a real redis-server (view store contract)', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.cleanup();
  });

  async function connectedStore(keyPrefix: string, maxPages: number, idempotencyWindowMs?: number): Promise<RedisStore> {
    const store = new RedisStore({
      url: redis.url,
      password: undefined,
      keyPrefix,
      commandTimeoutMs: 1000,
      maxPages,
      ...(idempotencyWindowMs === undefined ? {} : { idempotencyWindowMs }),
      metrics: createMetrics({ version: 'test' }),
      logger: memoryLogger().logger,
    });
    await waitFor('the Redis store to connect', () => store.ping().then(() => true), 5000);
    return store;
  }

  // A fresh key prefix per store gives each case empty storage without flushing anything.
  viewStoreContract(({ maxPages, idempotencyWindowMs }) => connectedStore(`contract-${randomUUID()}:`, maxPages, idempotencyWindowMs));

  it('the visitor ids the contract uses do make the HyperLogLog overshoot the view count', async () => {
    const keyPrefix = `overshoot-${randomUUID()}:`;
    const store = await connectedStore(keyPrefix, 100);
    const raw = new Redis(redis.url);
    try {
      for (const visitor of OVERSHOOTING_VISITORS) await store.recordView({ page: 'estimated', visitorId: visitor });
      expect(await raw.pfcount(redisKeys(keyPrefix).visitors('estimated'))).to.be.above(OVERSHOOTING_VISITORS.length);
      expect(await store.getPage('estimated')).to.deep.equal({ page: 'estimated', views: 128, visitors: 128 });
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});
