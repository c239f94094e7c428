import { randomUUID } from 'node:crypto';
import { createMetrics } from '../../src/metrics.js';
import { RedisStore } from '../../src/store/redis.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { memoryLogger } from '../support/silent-logger.js';
import { viewStoreContract } from '../support/view-store-contract.js';

describe('RedisStore against a real redis-server (view store contract)', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.cleanup();
  });

  // A fresh key prefix per store gives each case empty storage without flushing anything.
  viewStoreContract(async (maxPages) => {
    const store = new RedisStore({
      url: redis.url,
      password: undefined,
      keyPrefix: `contract-${randomUUID()}:`,
      commandTimeoutMs: 1000,
      maxPages,
      metrics: createMetrics({ version: 'test' }),
      logger: memoryLogger().logger,
    });
    await waitFor('the Redis store to connect', () => store.ping().then(() => true), 5000);
    return store;
  });
});
