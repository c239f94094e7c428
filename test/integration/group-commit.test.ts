import { expect } from 'chai';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { PageLimitReachedError, StoreUnavailableError } from '../../src/errors.js';
import { createMetrics } from '../../src/metrics.js';
import { MAX_VIEWS_PER_BATCH, RedisStore } from '../../src/store/redis.js';
import { NO_BUDGET, type RecordedView, type ViewBudget, type ViewToRecord } from '../../src/store/view-store.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { memoryLogger } from '../support/silent-logger.js';

/** How many script calls (EVALSHA, and EVAL after a NOSCRIPT) this Redis has served, from INFO commandstats. */
async function scriptCalls(raw: Redis): Promise<number> {
  const info = await raw.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

/** Each view's answer, or the error it was refused with: all submitted in this turn, so they share batches. */
function settleAll(store: RedisStore, views: ViewToRecord[]): Promise<Array<RecordedView | Error>> {
  return Promise.all(views.map((view) => store.recordView(view).catch((error: unknown) => error as Error)));
}

describe('group commit in the Redis store (real redis-server)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let raw: Redis;
  const stores: RedisStore[] = [];

  beforeEach(async () => {
    // appendfsync always: a SIGKILL loses no write Redis ran, so the counts after a restart are exact.
    redis = await startRedis({ appendfsync: 'always' });
    raw = new Redis(redis.url);
  });
  afterEach(async () => {
    raw.disconnect();
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await redis.cleanup();
  });

  async function connectedStore(maxPages: number, commandTimeoutMs = 1000, budget?: ViewBudget): Promise<RedisStore> {
    const store = new RedisStore({
      ...(budget === undefined ? {} : { budget }),
      url: redis.url,
      password: undefined,
      keyPrefix: `group-${randomUUID()}:`,
      commandTimeoutMs,
      maxPages,
      metrics: createMetrics({ version: 'test' }),
      logger: memoryLogger().logger,
    });
    stores.push(store);
    await waitFor('the Redis store to connect', () => store.ping().then(() => true), 5000);
    // Loads the script, so that what is measured afterwards is one EVALSHA per batch, not an EVALSHA, a
    // NOSCRIPT and an EVAL.
    await store.recordView({ page: 'warm-up', visitorId: 'warm-up' });
    return store;
  }

  it('concurrent views of mixed pages go in one script call, and each gets its own consecutive count', async () => {
    const store = await connectedStore(100);
    const pages = ['a', 'b', 'c'];
    const views = Array.from({ length: 90 }, (_, i) => ({ page: pages[i % 3] ?? 'a', visitorId: `visitor-${i}` }));
    const callsBefore = await scriptCalls(raw);
    const answers = await settleAll(store, views);
    expect(await scriptCalls(raw) - callsBefore, 'script calls for 90 views').to.equal(1);

    for (const page of pages) {
      const counts = answers.filter((_answer, i) => views[i]?.page === page).map((answer) => (answer as RecordedView).stats.views);
      expect(counts, `the answers for ${page}, in the order the views came`).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    }
    expect(await store.topPages(10)).to.deep.equal({
      // Ties rank in reverse name order (ZREVRANGE).
      pages: [{ page: 'c', views: 30 }, { page: 'b', views: 30 }, { page: 'a', views: 30 }, { page: 'warm-up', views: 1 }],
      total: 91,
    });
  });

  it(`a turn with more than ${MAX_VIEWS_PER_BATCH} views is split into calls of at most ${MAX_VIEWS_PER_BATCH}, counts still exact`, async () => {
    const store = await connectedStore(100);
    const views = Array.from({ length: 2 * MAX_VIEWS_PER_BATCH + 10 }, (_, i) => ({ page: 'busy', visitorId: `visitor-${i}` }));
    const callsBefore = await scriptCalls(raw);
    const answers = await settleAll(store, views);
    expect(await scriptCalls(raw) - callsBefore).to.equal(3);
    expect(answers.map((answer) => (answer as RecordedView).stats.views)).to.deep.equal(views.map((_view, i) => i + 1));
  });

  it('new pages at the cap inside one batch: the earlier new pages take the places, later ones are refused alone', async () => {
    // warm-up is the first of 3 pages; the batch brings four new ones.
    const store = await connectedStore(3);
    const views = ['new-1', 'warm-up', 'new-2', 'new-3', 'new-1', 'new-4', 'new-2'].map((page, i) => ({ page, visitorId: `visitor-${i}` }));
    const callsBefore = await scriptCalls(raw);
    const answers = await settleAll(store, views);
    expect(await scriptCalls(raw) - callsBefore).to.equal(1);
    const summary = answers.map((answer) => (answer instanceof PageLimitReachedError ? 'refused' : (answer as RecordedView).stats.views));
    expect(summary).to.deep.equal([1, 2, 1, 'refused', 2, 'refused', 2]);
    expect(await store.topPages(10)).to.deep.equal({
      pages: [{ page: 'warm-up', views: 2 }, { page: 'new-2', views: 2 }, { page: 'new-1', views: 2 }],
      total: 6,
    });
  });

  it('a batch mixing clients, one crossing its budgets mid-batch: one script call; its views before the crossing count, the ones after are refused, in order', async () => {
    // A generous timeout: this Redis fsyncs every write, and on a busy disk a batch can take over a second.
    const store = await connectedStore(100, 5000, { ...NO_BUDGET, viewsPerWindow: 6, newPagesPerWindow: 3 });
    // A squatter (A) creating pages and a reader (B) in one turn; warm-up came from no client.
    const views: ViewToRecord[] = [
      ...Array.from({ length: 5 }, (_, i) => [
        { page: `junk-${i}`, visitorId: 'a', client: '198.51.100.7' },
        { page: 'warm-up', visitorId: `b-${i}`, client: '203.0.113.5' },
      ]).flat(),
      ...Array.from({ length: 4 }, () => ({ page: 'junk-0', visitorId: 'a', client: '198.51.100.7' })),
      { page: 'real-new-page', visitorId: 'b', client: '203.0.113.5' },
    ];
    const callsBefore = await scriptCalls(raw);
    const answers = await settleAll(store, views);
    expect(await scriptCalls(raw) - callsBefore, 'script calls for the batch').to.equal(1);
    const summary = answers.map((answer) => (answer instanceof Error ? answer.name : answer.stats.views));
    expect(summary).to.deep.equal([
      1, 2, // junk-0 (A's 1st view, 1st new page); B
      1, 3, // junk-1 (A's 2nd, 2nd new page)
      1, 4, // junk-2 (A's 3rd, 3rd and last new page)
      'NewPageQuotaError', 5, // junk-3: a 4th new page
      'NewPageQuotaError', 6, // junk-4
      2, 3, 4, // junk-0 again: an existing page, A's 4th to 6th views
      'RateLimitedError', // A's 7th
      1, // B's 6th view creates a page of its own
    ]);
    const refusedAfter = await settleAll(store, [{ page: 'junk-0', visitorId: 'a', client: '198.51.100.7' }]);
    expect(refusedAfter.map((answer) => (answer instanceof Error ? answer.name : answer.stats.views)), 'A past its views').to.deep.equal(['RateLimitedError']);
    expect((await store.topPages(10)).total, 'warm-up, A 6, B 6').to.equal(13);
  });

  it('a batch cut by a Redis kill fails every view with one StoreUnavailableError, and the retries with their keys count each view once', async () => {
    const store = await connectedStore(100, 500);
    const views = Array.from({ length: 12 }, (_, i) => ({ page: `page-${i % 4}`, visitorId: `visitor-${i}`, idempotencyKey: `key-${i}` }));

    // Frozen, Redis takes the batch into its socket buffer but never runs it; killed, it never will.
    process.kill(redis.pid, 'SIGSTOP');
    const cut = await settleAll(store, views);
    await redis.kill();
    expect(cut.every((answer) => answer instanceof StoreUnavailableError), 'every view of the cut batch is a 503').to.equal(true);
    expect(new Set(cut).size, 'one error for the whole batch').to.equal(1);

    await redis.start();
    await waitFor('the store to reconnect', () => store.ping().then(() => true, () => undefined), 10_000, 100);
    const retried = await settleAll(store, views);
    // ioredis may resend the cut call on the new connection ahead of the retries (it keeps commands it has
    // not had an answer to), so the retries are either all counted or all replays of that resent write:
    // the batch is applied whole or not at all, and each view once.
    expect(retried.every((answer) => !(answer instanceof Error)), String(retried.find((answer) => answer instanceof Error))).to.equal(true);
    expect(new Set(retried.map((answer) => (answer as RecordedView).replayed)).size, 'all counted, or all replayed').to.equal(1);
    expect(await store.topPages(10)).to.deep.equal({
      pages: ['page-3', 'page-2', 'page-1', 'page-0'].map((page) => ({ page, views: 3 })).concat({ page: 'warm-up', views: 1 }),
      total: 13,
    });

    // The other way a batch is cut: its answer is lost (a timeout) but the write lands when Redis resumes.
    process.kill(redis.pid, 'SIGSTOP');
    const timedOut = await settleAll(store, views.map((view) => ({ ...view, idempotencyKey: `again-${view.idempotencyKey}` })));
    process.kill(redis.pid, 'SIGCONT');
    expect(timedOut.every((answer) => answer instanceof StoreUnavailableError)).to.equal(true);
    await waitFor('the timed-out batch to land', async () => ((await store.topPages(1)).total === 25 ? true : undefined), 5000, 100);
    const replays = await settleAll(store, views.map((view) => ({ ...view, idempotencyKey: `again-${view.idempotencyKey}` })));
    expect(replays.map((answer) => (answer as RecordedView).replayed)).to.deep.equal(Array(12).fill(true));
    expect((await store.topPages(1)).total, 'no view of either batch counted twice').to.equal(25);
  });
});
