import { expect } from 'chai';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { dayNumber } from '../../src/days.js';
import { createMetrics } from '../../src/metrics.js';
import { redisKeys, type RedisKeys } from '../../src/store/redis-keys.js';
import { RedisStore } from '../../src/store/redis.js';
import { RECORD_VIEWS } from '../../src/store/redis-scripts.js';
import { VIEW_OUTCOME, VISITOR_SALT_LIFETIME_MS } from '../../src/store/view-store.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { memoryLogger } from '../support/silent-logger.js';
import { OVERSHOOTING_VISITORS, viewStoreContract, type ContractStoreOptions } from '../support/view-store-contract.js';

describe('RedisStore against a real redis-server (view store contract)', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.cleanup();
  });

  async function connectedStore(keyPrefix: string, maxPages: number, options: Omit<ContractStoreOptions, 'maxPages'> = {}): Promise<RedisStore> {
    const store = new RedisStore({
      url: redis.url,
      password: undefined,
      keyPrefix,
      commandTimeoutMs: 1000,
      maxPages,
      ...options,
      metrics: createMetrics({ version: 'test' }),
      logger: memoryLogger().logger,
    });
    await waitFor('the Redis store to connect', () => store.ping().then(() => true), 5000);
    return store;
  }

  // A fresh key prefix per store gives each case empty storage without flushing anything.
  viewStoreContract(({ maxPages, ...options }) => connectedStore(`contract-${randomUUID()}:`, maxPages, options));

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

  it('RECORD_VIEWS applies a batch of views in order, one outcome per view (the layout group commit will use)', async () => {
    const keys = redisKeys(`batch-${randomUUID()}:`);
    const raw = new Redis(redis.url);
    try {
      const maxPages = 2;
      const windowMs = 60_000;
      // Per view: its visitors keys (all time, the day's), then its idempotency key when it has one; ARGV: page, visitor, has-key.
      const views = [
        { page: 'a', visitor: 'v1', key: 'k1' },
        { page: 'a', visitor: 'v2', key: undefined },
        { page: 'a', visitor: 'v3', key: 'k1' },
        { page: 'b', visitor: 'v1', key: 'k2' },
        { page: 'c', visitor: 'v1', key: 'k3' },
        { page: 'b', visitor: 'v4', key: 'k1' },
      ];
      const day = '2026-03-01';
      const dayKeysMs = 90_000;
      const batchKeys = [keys.ranking, keys.total, keys.dayRanking(day), keys.dayTotal(day), keys.firstSeen];
      // No budget (limits 0, so the windows' remaining times do not matter); the day's keys live 90 s; visitors counted; the day's number.
      const batchArgs: Array<string | number> = [maxPages, windowMs, 0, 1, 0, 1, dayKeysMs, 1, dayNumber(day)];
      for (const { page, visitor, key } of views) {
        batchKeys.push(keys.visitors(page), keys.dayVisitors(day, page), ...(key === undefined ? [] : [keys.idempotency(key)]));
        batchArgs.push(page, visitor, key === undefined ? 0 : 1, 0, 1);
      }
      const reply = await raw.eval(RECORD_VIEWS, batchKeys.length, ...batchKeys, ...batchArgs);
      const { counted, duplicate, pageLimit, keyReused } = VIEW_OUTCOME;
      expect(reply).to.deep.equal([
        counted, 1, 1, // a: first view, remembered under k1
        counted, 2, 2, // a again, no key: consecutive count
        duplicate, 1, 1, // k1 again in the same batch: the first answer, not the current figures
        counted, 1, 1, // b: a new page, the second of two allowed
        pageLimit, 0, 0, // c: a third new page, refused because b, earlier in this batch, took the last place
        keyReused, 0, 0, // k1 on another page
      ]);
      expect(await raw.zrevrange(keys.ranking, 0, -1, 'WITHSCORES')).to.deep.equal(['a', '2', 'b', '1']);
      expect(await raw.get(keys.total)).to.equal('3');
      expect(await raw.exists(keys.idempotency('k3'))).to.equal(0);
      expect(await raw.pttl(keys.idempotency('k2'))).to.be.within(windowMs - 5000, windowMs);
      expect(await raw.zrevrange(keys.dayRanking(day), 0, -1, 'WITHSCORES'), 'the day counts what counted').to.deep.equal(['a', '2', 'b', '1']);
      expect(await raw.get(keys.dayTotal(day))).to.equal('3');
      expect(await raw.pfcount(keys.dayVisitors(day, 'a'))).to.equal(2);
      for (const dayKey of [keys.dayRanking(day), keys.dayTotal(day), keys.dayVisitors(day, 'a'), keys.dayVisitors(day, 'b')]) {
        expect(await raw.pttl(dayKey), `${dayKey} expires as the header says`).to.be.within(dayKeysMs - 5000, dayKeysMs);
      }
      expect(await raw.exists(keys.dayVisitors(day, 'c')), 'a refused view writes no day key').to.equal(0);
      expect(await raw.zrevrange(keys.firstSeen, 0, -1, 'WITHSCORES'), 'the views that created a and b recorded the day; refused c did not').to.deep.equal(['b', String(dayNumber(day)), 'a', String(dayNumber(day))]);
    } finally {
      raw.disconnect();
    }
  });

  /** A store of 100 pages on a fresh key prefix starting with `name`, and a raw client beside it, both closed after `use`. */
  async function withStore(name: string, options: Omit<ContractStoreOptions, 'maxPages'>, use: (store: RedisStore, keys: RedisKeys, raw: Redis, keyPrefix: string) => Promise<void>): Promise<void> {
    const keyPrefix = `${name}-${randomUUID()}:`;
    const store = await connectedStore(keyPrefix, 100, options);
    const raw = new Redis(redis.url);
    try {
      await use(store, redisKeys(keyPrefix), raw, keyPrefix);
    } finally {
      raw.disconnect();
      await store.close();
    }
  }

  it('without visitor counting a view writes no HyperLogLog and sends no visitor id: only the counts and the idempotency key exist', async () => {
    const noon = Date.parse('2026-03-01T12:00:00Z');
    await withStore('off', { now: () => noon, countVisitors: false }, async (store, keys, raw, keyPrefix) => {
      const monitor = await raw.monitor();
      const sent: string[][] = [];
      monitor.on('monitor', (_time: string, args: string[]) => sent.push(args));
      try {
        await store.recordView({ page: 'a', visitorId: 'someone', idempotencyKey: 'key-1' });
        await store.getPage('a');
        await store.pageRange('a', { from: '2026-02-28', to: '2026-03-01' });
        expect((await raw.keys(`${keyPrefix}*`)).sort()).to.deep.equal(
          [keys.ranking, keys.total, keys.firstSeen, keys.dayRanking('2026-03-01'), keys.dayTotal('2026-03-01'), keys.idempotency('key-1')].sort(),
        );
        const scripts = sent.filter(([command]) => /^eval/i.test(command ?? ''));
        expect(scripts, 'the three calls reached Redis').to.have.length.of.at.least(3);
        expect(scripts.flat().join(' '), 'no visitor id travels to Redis').to.not.include('someone');
        expect(scripts.flat().filter((arg) => arg.includes('visitors:')), 'no visitors key is passed').to.deep.equal([]);
      } finally {
        monitor.disconnect();
      }
    });
  });

  it('a ranking up to today keeps the union of its completed days until midnight and reuses it; an import or a reset makes it be rebuilt', async () => {
    let now = Date.parse('2026-03-01T18:00:00Z');
    await withStore('cache', { now: () => now }, async (store, keys, raw) => {
      await store.recordView({ page: 'a', visitorId: 'v' });
      now = Date.parse('2026-03-02T18:00:00Z');
      await store.recordView({ page: 'b', visitorId: 'v' });
      const range = { from: '2026-03-01', to: '2026-03-02' };
      expect((await store.topPagesRange(range, 10)).pages).to.deep.equal([{ page: 'b', views: 1 }, { page: 'a', views: 1 }]);
      const cache = keys.rangeCache('2026-03-01', '2026-03-01');
      expect(await raw.pttl(cache), 'until midnight UTC by the store clock').to.be.within(6 * 3600_000 - 5000, 6 * 3600_000);
      expect(await raw.exists(keys.rangeScratch)).to.equal(0);
      // A member planted in the cache shows in the next read: the union is reused, not rebuilt.
      await raw.zadd(cache, 7, 'planted');
      expect((await store.topPagesRange(range, 10)).pages[0]).to.deep.equal({ page: 'planted', views: 7 });
      await store.resetPage('nothing-here');
      expect((await store.topPagesRange(range, 10)).pages, 'rebuilt after a reset').to.deep.equal([{ page: 'b', views: 1 }, { page: 'a', views: 1 }]);
      await raw.zadd(cache, 7, 'planted');
      await store.importPages([]);
      expect((await store.topPagesRange(range, 10)).pages, 'rebuilt after an import').to.deep.equal([{ page: 'b', views: 1 }, { page: 'a', views: 1 }]);
    });
  });

  it('the day keys live until the retention after their UTC day ends, and a range read leaves no scratch key behind', async () => {
    const noon = Date.parse('2026-03-01T12:00:00Z');
    await withStore('days', { now: () => noon, retentionDays: 400 }, async (store, keys, raw) => {
      await store.recordView({ page: 'a', visitorId: 'v' });
      const lifetimeMs = 12 * 3600_000 + 400 * 24 * 3600_000;
      for (const dayKey of [keys.dayRanking('2026-03-01'), keys.dayTotal('2026-03-01'), keys.dayVisitors('2026-03-01', 'a')]) {
        expect(await raw.pttl(dayKey), dayKey).to.be.within(lifetimeMs - 5000, lifetimeMs);
      }
      expect((await store.topPagesRange({ from: '2026-02-01', to: '2026-03-01' }, 10)).pages).to.deep.equal([{ page: 'a', views: 1 }]);
      expect(await raw.exists(keys.rangeScratch)).to.equal(0);
      expect(await raw.ttl(keys.ranking), 'the all-time counts never expire').to.equal(-1);
    });
  });

  it("a day's visitor salt is the first one stored, under a key of redis-keys.ts that Redis deletes after 48 hours", async () => {
    const keyPrefix = `salt-${randomUUID()}:`;
    const store = await connectedStore(keyPrefix, 100);
    const other = await connectedStore(keyPrefix, 100);
    const raw = new Redis(redis.url);
    try {
      expect(await store.visitorSalt('2026-03-10', 'salt-a')).to.equal('salt-a');
      expect(await other.visitorSalt('2026-03-10', 'salt-b'), 'another replica gets the same salt').to.equal('salt-a');
      expect(await raw.pttl(redisKeys(keyPrefix).visitorSalt('2026-03-10'))).to.be.within(VISITOR_SALT_LIFETIME_MS - 5000, VISITOR_SALT_LIFETIME_MS);
    } finally {
      raw.disconnect();
      await store.close();
      await other.close();
    }
  });

  it('the budget counters are keys named by redis-keys.ts that Redis itself deletes when their window ends', async () => {
    const keyPrefix = `budget-${randomUUID()}:`;
    const keys = redisKeys(keyPrefix);
    const windowMs = 1000;
    const store = await connectedStore(keyPrefix, 100, { budget: { viewsPerWindow: 5, viewsWindowMs: windowMs, newPagesPerWindow: 5, newPagesWindowMs: windowMs } });
    const raw = new Redis(redis.url);
    try {
      // Just after a window begins, so that the writes below fall in one window.
      await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 20));
      const window = Math.floor(Date.now() / windowMs);
      await store.recordView({ page: 'a', visitorId: 'v', client: '192.0.2.1' });
      await store.recordView({ page: 'a', visitorId: 'v', client: '192.0.2.1' });
      await store.recordView({ page: 'b', visitorId: 'v', client: '192.0.2.1' });
      expect(await raw.get(keys.viewsBudget('192.0.2.1', window))).to.equal('3');
      expect(await raw.get(keys.newPagesBudget('192.0.2.1', window))).to.equal('2');
      const ttl = await raw.pttl(keys.viewsBudget('192.0.2.1', window));
      expect(ttl, 'ms until the key expires: what is left of its window').to.be.within(1, windowMs);
      await waitFor('Redis to expire the budget keys', async () => ((await raw.exists(keys.viewsBudget('192.0.2.1', window), keys.newPagesBudget('192.0.2.1', window))) === 0 ? true : undefined), 3000, 50);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});
