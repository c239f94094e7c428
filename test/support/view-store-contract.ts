import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyKeyReusedError, NewPageQuotaError, PageLimitReachedError, PageOutsidePatternError, RateLimitedError } from '../../src/errors.js';
import { daySeries } from './day-series.js';
import { NO_BUDGET, type PageStats, type RecordedView, type ViewBudget, type ViewStore, type ViewToRecord } from '../../src/store/view-store.js';

/**
 * 128 distinct visitor ids whose Redis HyperLogLog count reads 129 (Redis's hash is fixed, so this holds on
 * every server): test/integration/redis-store.test.ts checks that it still overshoots.
 */
export const OVERSHOOTING_VISITORS = Array.from({ length: 128 }, (_, i) => `visitor-${i + 1}`);

export interface ContractStoreOptions {
  maxPages: number;
  /** Shortened by the expiry case; the store's default (IDEMPOTENCY_WINDOW_MS) otherwise. */
  idempotencyWindowMs?: number;
  /** The abuse budget's limits; none unless a case sets them. */
  budget?: ViewBudget;
  /** The clock budget windows and UTC days run by; the real one unless a case pins it. */
  now?: () => number;
  /** Days kept after a day ends; the store's default unless a case sets it. */
  retentionDays?: number;
  /** False: the store counts no visitors (VISITOR_MODE=off); true unless a case sets it. */
  countVisitors?: boolean;
}

/** The error a promise rejects with, or a failure when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/**
 * The behaviour every ViewStore must have. Called from one describe() per implementation;
 * `makeStore(options)` returns a store over empty storage.
 */
export function viewStoreContract(makeStore: (options: ContractStoreOptions) => Promise<ViewStore>): void {
  let store: ViewStore;
  const open: ViewStore[] = [];
  async function fresh(maxPages = 100, idempotencyWindowMs?: number): Promise<ViewStore> {
    return freshWith({ maxPages, ...(idempotencyWindowMs === undefined ? {} : { idempotencyWindowMs }) });
  }
  async function freshWith(options: ContractStoreOptions): Promise<ViewStore> {
    const made = await makeStore(options);
    open.push(made);
    return made;
  }
  /** One view without an idempotency key: the figures it answers. */
  async function count(target: ViewStore, page: string, visitorId: string): Promise<PageStats> {
    return (await target.recordView({ page, visitorId })).stats;
  }
  const keyed = (target: ViewStore, page: string, visitorId: string, idempotencyKey: string): Promise<RecordedView> =>
    target.recordView({ page, visitorId, idempotencyKey });

  beforeEach(async () => {
    store = await fresh();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((made) => made.close()));
  });

  it('an unknown page has 0 views and 0 visitors', async () => {
    expect(await store.getPage('never/seen')).to.deep.equal({ page: 'never/seen', views: 0, visitors: 0 });
  });

  it('recordView counts views and answers the new figures', async () => {
    expect(await count(store, 'a', 'visitor-1')).to.deep.equal({ page: 'a', views: 1, visitors: 1 });
    expect(await count(store, 'a', 'visitor-1')).to.deep.equal({ page: 'a', views: 2, visitors: 1 });
    expect(await count(store, 'a', 'visitor-2')).to.deep.equal({ page: 'a', views: 3, visitors: 2 });
    expect(await store.getPage('a')).to.deep.equal({ page: 'a', views: 3, visitors: 2 });
  });

  it('pages are counted separately', async () => {
    await count(store, 'a', 'v');
    await count(store, 'b', 'v');
    await count(store, 'b', 'v');
    expect((await store.getPage('a')).views).to.equal(1);
    expect((await store.getPage('b')).views).to.equal(2);
  });

  it('topPages ranks by views, honours the limit, and totals every page', async () => {
    for (const [page, times] of [['low', 1], ['high', 3], ['mid', 2]] as const) {
      for (let i = 0; i < times; i += 1) await count(store, page, `v${i}`);
    }
    expect(await store.topPages(2)).to.deep.equal({
      pages: [{ page: 'high', views: 3 }, { page: 'mid', views: 2 }],
      total: 6,
    });
    expect((await store.topPages(10)).pages).to.have.length(3);
  });

  it('topPages on an empty store is empty with total 0', async () => {
    expect(await store.topPages(10)).to.deep.equal({ pages: [], total: 0 });
  });

  it('estimates many distinct visitors within 2%', async () => {
    const distinct = 1000;
    await Promise.all(Array.from({ length: distinct }, (_, i) => count(store, 'popular', `visitor-${i}`)));
    const { views, visitors } = await store.getPage('popular');
    expect(views).to.equal(distinct);
    expect(visitors).to.be.within(distinct * 0.98, distinct * 1.02);
  });

  it('past MAX_PAGES a new page is refused and nothing is written; existing pages keep counting', async () => {
    const capped = await fresh(2);
    await count(capped, 'one', 'v');
    await count(capped, 'two', 'v');
    expect(await rejectionOf(count(capped, 'three', 'v'))).to.be.instanceOf(PageLimitReachedError);
    expect(await capped.getPage('three')).to.deep.equal({ page: 'three', views: 0, visitors: 0 });
    expect(await capped.topPages(10)).to.deep.equal({ pages: [{ page: 'two', views: 1 }, { page: 'one', views: 1 }], total: 2 });
    expect((await count(capped, 'one', 'v')).views).to.equal(2);
  });

  it('many concurrent views of one page are all counted, and the ranking agrees', async () => {
    await Promise.all(Array.from({ length: 500 }, (_, i) => count(store, 'busy', `v${i % 7}`)));
    expect(await store.getPage('busy')).to.deep.equal({ page: 'busy', views: 500, visitors: 7 });
    expect(await store.topPages(1)).to.deep.equal({ pages: [{ page: 'busy', views: 500 }], total: 500 });
  });

  it('never answers more visitors than views, even where the visitor estimate overshoots', async () => {
    for (let i = 1; i <= OVERSHOOTING_VISITORS.length; i += 1) {
      const answer = await count(store, 'estimated', OVERSHOOTING_VISITORS[i - 1] ?? '');
      expect(answer.visitors, `after ${i} views`).to.be.at.most(answer.views);
    }
    expect(await store.getPage('estimated')).to.deep.equal({ page: 'estimated', views: 128, visitors: 128 });
  });

  describe('idempotency keys', () => {
    it('the same key twice counts once, and the second answer is the first one, marked as replayed', async () => {
      const first = await keyed(store, 'a', 'visitor-1', 'key-1');
      expect(first).to.deep.equal({ stats: { page: 'a', views: 1, visitors: 1 }, replayed: false });
      // A view in between moves the page on: a replay still answers what the first write answered.
      await count(store, 'a', 'visitor-2');
      expect(await keyed(store, 'a', 'visitor-3', 'key-1')).to.deep.equal({ stats: first.stats, replayed: true });
      expect(await store.getPage('a')).to.deep.equal({ page: 'a', views: 2, visitors: 2 });
      expect(await store.topPages(10)).to.deep.equal({ pages: [{ page: 'a', views: 2 }], total: 2 });
    });

    it('different keys count twice', async () => {
      expect(await keyed(store, 'a', 'v', 'key-1')).to.deep.equal({ stats: { page: 'a', views: 1, visitors: 1 }, replayed: false });
      expect(await keyed(store, 'a', 'v', 'key-2')).to.deep.equal({ stats: { page: 'a', views: 2, visitors: 1 }, replayed: false });
      expect(await store.topPages(10)).to.deep.equal({ pages: [{ page: 'a', views: 2 }], total: 2 });
    });

    it('concurrent views with one key count once, and every answer has the figures of the one that counted', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => keyed(store, 'raced', `v${i}`, 'one-key')));
      expect(answers.filter((answer) => !answer.replayed)).to.have.length(1);
      expect(answers.map((answer) => answer.stats)).to.deep.equal(Array(20).fill({ page: 'raced', views: 1, visitors: 1 }));
      expect(await store.getPage('raced')).to.deep.equal({ page: 'raced', views: 1, visitors: 1 });
    });

    it('a key replayed once MAX_PAGES is reached still answers its first figures', async () => {
      const capped = await fresh(2);
      const first = await keyed(capped, 'one', 'v', 'key-1');
      await count(capped, 'two', 'v');
      expect(await rejectionOf(count(capped, 'three', 'v'))).to.be.instanceOf(PageLimitReachedError);
      expect(await keyed(capped, 'one', 'v', 'key-1')).to.deep.equal({ stats: first.stats, replayed: true });
      // The key is checked before the cap: a key that already counted another page says so, even for a page the cap would refuse.
      expect(await rejectionOf(keyed(capped, 'three', 'v', 'key-1'))).to.be.instanceOf(IdempotencyKeyReusedError);
      expect(await capped.topPages(10)).to.deep.equal({ pages: [{ page: 'two', views: 1 }, { page: 'one', views: 1 }], total: 2 });
    });

    it('a key sent again for another page is refused and counts nothing', async () => {
      await keyed(store, 'a', 'v', 'key-1');
      expect(await rejectionOf(keyed(store, 'b', 'v', 'key-1'))).to.be.instanceOf(IdempotencyKeyReusedError);
      expect(await store.getPage('b')).to.deep.equal({ page: 'b', views: 0, visitors: 0 });
      expect(await store.topPages(10)).to.deep.equal({ pages: [{ page: 'a', views: 1 }], total: 1 });
    });

    it('a view the cap refuses does not use up its key', async () => {
      const capped = await fresh(1);
      await count(capped, 'one', 'v');
      expect(await rejectionOf(keyed(capped, 'two', 'v', 'key-1'))).to.be.instanceOf(PageLimitReachedError);
      expect(await keyed(capped, 'one', 'v', 'key-1')).to.deep.equal({ stats: { page: 'one', views: 2, visitors: 1 }, replayed: false });
    });

    it('a key is forgotten after the idempotency window: the same key then counts again', async () => {
      const windowMs = 300;
      const shortMemory = await fresh(100, windowMs);
      await keyed(shortMemory, 'a', 'v', 'key-1');
      expect((await keyed(shortMemory, 'a', 'v', 'key-1')).replayed).to.equal(true);
      await sleep(windowMs + 100);
      expect(await keyed(shortMemory, 'a', 'v', 'key-1')).to.deep.equal({ stats: { page: 'a', views: 2, visitors: 1 }, replayed: false });
      expect((await keyed(shortMemory, 'a', 'v', 'key-1')).replayed, 'remembered again from the new write').to.equal(true);
    });
  });

  describe('abuse budget', () => {
    const budget = (limits: Partial<ViewBudget>): ViewBudget => ({ ...NO_BUDGET, ...limits });
    /** Each view's answer (its view count, or the name of the error it was refused with), all sent at once. */
    const outcomes = (target: ViewStore, views: ViewToRecord[]): Promise<Array<number | string>> =>
      Promise.all(views.map((view) => target.recordView(view).then((answer) => answer.stats.views, (error: Error) => error.name)));

    it('a client over its views per window is refused with RateLimitedError and counts nothing; other clients and views without a client still count', async () => {
      const limited = await freshWith({ maxPages: 100, budget: budget({ viewsPerWindow: 3 }) });
      for (let i = 1; i <= 3; i += 1) expect((await limited.recordView({ page: 'a', visitorId: 'v', client: '192.0.2.1' })).stats.views).to.equal(i);
      expect(await rejectionOf(limited.recordView({ page: 'a', visitorId: 'v', client: '192.0.2.1' }))).to.be.instanceOf(RateLimitedError);
      expect(await rejectionOf(limited.recordView({ page: 'b', visitorId: 'v', client: '192.0.2.1' }))).to.be.instanceOf(RateLimitedError);
      expect(await limited.topPages(10)).to.deep.equal({ pages: [{ page: 'a', views: 3 }], total: 3 });
      expect((await limited.recordView({ page: 'a', visitorId: 'v', client: '192.0.2.2' })).stats.views, 'another client').to.equal(4);
      expect((await limited.recordView({ page: 'a', visitorId: 'v' })).stats.views, 'a view without a client').to.equal(5);
    });

    it('a client over its new pages per window may not create a page, but its views of existing pages count, and another client may create it', async () => {
      const limited = await freshWith({ maxPages: 100, budget: budget({ newPagesPerWindow: 2 }) });
      const attacker = (page: string): ViewToRecord => ({ page, visitorId: 'v', client: '198.51.100.7' });
      expect(await outcomes(limited, [attacker('junk-1'), attacker('junk-2'), attacker('junk-3'), attacker('junk-1')])).to.deep.equal([1, 1, 'NewPageQuotaError', 2]);
      expect((await limited.recordView({ page: 'junk-3', visitorId: 'w', client: '203.0.113.5' })).stats.views, 'a new page from another client').to.equal(1);
      expect(await limited.topPages(10)).to.deep.equal({ pages: [{ page: 'junk-1', views: 2 }, { page: 'junk-3', views: 1 }, { page: 'junk-2', views: 1 }], total: 4 });
    });

    it('a client crossing its limit inside one batch: the views before the crossing count, the ones after are refused, in order', async () => {
      const limited = await freshWith({ maxPages: 100, budget: budget({ viewsPerWindow: 3, newPagesPerWindow: 2 }) });
      const views: ViewToRecord[] = [
        { page: 'a', visitorId: 'v1', client: 'A' },
        { page: 'a', visitorId: 'v2', client: 'B' },
        { page: 'b', visitorId: 'v1', client: 'A' },
        { page: 'c', visitorId: 'v1', client: 'A' }, // A's third new page: over its new-page quota
        { page: 'a', visitorId: 'v1', client: 'A' }, // A's third counted view: the last it may have
        { page: 'a', visitorId: 'v2', client: 'B' },
        { page: 'b', visitorId: 'v1', client: 'A' }, // A's fourth: over its views
        { page: 'c', visitorId: 'v3', client: 'B' }, // B may still create c
      ];
      expect(await outcomes(limited, views)).to.deep.equal([1, 2, 1, 'NewPageQuotaError', 3, 4, 'RateLimitedError', 1]);
      expect(await limited.topPages(10)).to.deep.equal({ pages: [{ page: 'a', views: 4 }, { page: 'c', views: 1 }, { page: 'b', views: 1 }], total: 6 });
    });

    it('a replayed Idempotency-Key is answered from its first write, never refused by the budget it passed then', async () => {
      const limited = await freshWith({ maxPages: 100, budget: budget({ viewsPerWindow: 1, newPagesPerWindow: 1 }) });
      const first = await limited.recordView({ page: 'a', visitorId: 'v', client: 'A', idempotencyKey: 'key-1' });
      expect(await rejectionOf(limited.recordView({ page: 'a', visitorId: 'v', client: 'A' }))).to.be.instanceOf(RateLimitedError);
      expect(await limited.recordView({ page: 'a', visitorId: 'v', client: 'A', idempotencyKey: 'key-1' })).to.deep.equal({ stats: first.stats, replayed: true });
    });

    it('a view refused for another reason spends no budget', async () => {
      const limited = await freshWith({ maxPages: 1, budget: budget({ viewsPerWindow: 2, newPagesPerWindow: 2 }) });
      await limited.recordView({ page: 'one', visitorId: 'v', client: 'A' });
      expect(await rejectionOf(limited.recordView({ page: 'two', visitorId: 'v', client: 'A' }))).to.be.instanceOf(PageLimitReachedError);
      expect(await rejectionOf(limited.recordView({ page: 'three', visitorId: 'v', client: 'A', mayCreatePage: false }))).to.be.instanceOf(PageOutsidePatternError);
      expect((await limited.recordView({ page: 'one', visitorId: 'v', client: 'A' })).stats.views, 'the second of two views A may have').to.equal(2);
      expect(await rejectionOf(limited.recordView({ page: 'one', visitorId: 'v', client: 'A' }))).to.be.instanceOf(RateLimitedError);
    });

    it('the refusal says how long until the window ends, in whole seconds rounded up', async () => {
      // 45.5 s into a minute and 59 min 59.2 s into an hour (windows start at the epoch's whole minutes and hours).
      const now = Date.parse('2026-01-01T10:59:00Z') + 59_200;
      const limited = await freshWith({ maxPages: 100, budget: budget({ viewsPerWindow: 1, newPagesPerWindow: 1 }), now: () => now - 13_700 });
      await limited.recordView({ page: 'a', visitorId: 'v', client: 'A' });
      const viewsRefusal = await rejectionOf(limited.recordView({ page: 'a', visitorId: 'v', client: 'A' }));
      expect(viewsRefusal).to.be.instanceOf(RateLimitedError);
      expect((viewsRefusal as RateLimitedError).headers, '14.5 s left of the minute').to.deep.equal({ 'Retry-After': '15' });
      const pinned = await freshWith({ maxPages: 100, budget: budget({ newPagesPerWindow: 1 }), now: () => now });
      await pinned.recordView({ page: 'a', visitorId: 'v', client: 'A' });
      const pagesRefusal = await rejectionOf(pinned.recordView({ page: 'b', visitorId: 'v', client: 'A' }));
      expect(pagesRefusal).to.be.instanceOf(NewPageQuotaError);
      expect((pagesRefusal as NewPageQuotaError).headers, '0.8 s left of the hour').to.deep.equal({ 'Retry-After': '1' });
    });

    it('a budget is renewed when its window ends', async () => {
      // Long enough that the two views below fall in one window even on a machine slowed by other work.
      const windowMs = 1000;
      const limited = await freshWith({ maxPages: 100, budget: { viewsPerWindow: 1, viewsWindowMs: windowMs, newPagesPerWindow: 1, newPagesWindowMs: windowMs } });
      // Starting just after a window begins, so that the two views below fall in the same window.
      await sleep(windowMs - (Date.now() % windowMs) + 10);
      await limited.recordView({ page: 'a', visitorId: 'v', client: 'A' });
      expect(await rejectionOf(limited.recordView({ page: 'b', visitorId: 'v', client: 'A' }))).to.be.instanceOf(RateLimitedError);
      await sleep(windowMs - (Date.now() % windowMs) + 10);
      expect((await limited.recordView({ page: 'b', visitorId: 'v', client: 'A' })).stats.views, 'a new page in the next window').to.equal(1);
    });
  });

  it('a view that may not create its page (outside PAGE_PATTERN) is refused for a new page and counted for an existing one', async () => {
    await count(store, 'old-page', 'v');
    expect(await rejectionOf(store.recordView({ page: 'new-page', visitorId: 'v', mayCreatePage: false }))).to.be.instanceOf(PageOutsidePatternError);
    expect((await store.recordView({ page: 'old-page', visitorId: 'v', mayCreatePage: false })).stats.views).to.equal(2);
    expect(await store.topPages(10)).to.deep.equal({ pages: [{ page: 'old-page', views: 2 }], total: 2 });
  });

  describe('per-day counts (UTC days)', () => {
    const DAY = 24 * 60 * 60 * 1000;
    /** A clock that runs with real time from `at`, so that Redis's expiry and the memory store's agree. */
    function clockFrom(at: number): () => number {
      const offset = at - Date.now();
      return () => Date.now() + offset;
    }

    it('views on either side of midnight UTC count on their own days, per page and in total; all-time figures are unchanged', async () => {
      let now = Date.parse('2026-03-01T23:59:59.900Z');
      const daily = await freshWith({ maxPages: 100, now: () => now });
      await count(daily, 'a', 'v1');
      await count(daily, 'b', 'v1');
      now = Date.parse('2026-03-02T00:00:00.000Z');
      await count(daily, 'a', 'v2');
      await count(daily, 'a', 'v1');
      const range = { from: '2026-02-28', to: '2026-03-03' };
      expect(await daily.pageRange('a', range)).to.deep.equal({
        page: 'a',
        ...range,
        views: 3,
        visitors: 2,
        days: daySeries(range.from, range.to, { '2026-03-01': 1, '2026-03-02': 2 }),
      });
      expect(await daily.pageRange('a', { from: '2026-03-02', to: '2026-03-02' })).to.deep.include({ views: 2, visitors: 2 });
      expect(await daily.pageRange('never', range)).to.deep.include({ views: 0, visitors: 0 });
      expect(await daily.topPagesRange({ from: '2026-03-01', to: '2026-03-01' }, 10)).to.deep.equal({
        from: '2026-03-01',
        to: '2026-03-01',
        pages: [{ page: 'b', views: 1 }, { page: 'a', views: 1 }],
        total: 2,
        days: [{ day: '2026-03-01', views: 2 }],
      });
      expect(await daily.topPagesRange(range, 1)).to.deep.equal({
        ...range,
        pages: [{ page: 'a', views: 3 }],
        total: 4,
        days: daySeries(range.from, range.to, { '2026-03-01': 2, '2026-03-02': 2 }),
      });
      expect(await daily.getPage('a')).to.deep.equal({ page: 'a', views: 3, visitors: 2 });
      expect((await daily.topPages(10)).total).to.equal(4);
    });

    it('a refused or replayed view counts on no day', async () => {
      const now = Date.parse('2026-03-01T12:00:00Z');
      const capped = await freshWith({ maxPages: 1, now: () => now });
      await capped.recordView({ page: 'one', visitorId: 'v', idempotencyKey: 'k' });
      await capped.recordView({ page: 'one', visitorId: 'v', idempotencyKey: 'k' });
      expect(await rejectionOf(count(capped, 'two', 'v'))).to.be.instanceOf(PageLimitReachedError);
      const today = { from: '2026-03-01', to: '2026-03-01' };
      expect(await capped.topPagesRange(today, 10)).to.deep.include({ pages: [{ page: 'one', views: 1 }], total: 1 });
    });

    it('the range visitors never exceed its views, where the estimate overshoots', async () => {
      const now = Date.parse('2026-03-01T12:00:00Z');
      const daily = await freshWith({ maxPages: 100, now: () => now });
      for (const visitor of OVERSHOOTING_VISITORS) await count(daily, 'estimated', visitor);
      expect(await daily.pageRange('estimated', { from: '2026-03-01', to: '2026-03-01' })).to.deep.include({ views: 128, visitors: 128 });
    });

    it('ties in a range ranking go by page name, descending, as in the all-time ranking', async () => {
      const now = Date.parse('2026-03-01T12:00:00Z');
      const daily = await freshWith({ maxPages: 100, now: () => now });
      for (const page of ['m', 'z', 'a']) await count(daily, page, 'v');
      expect((await daily.topPagesRange({ from: '2026-03-01', to: '2026-03-01' }, 10)).pages.map(({ page }) => page)).to.deep.equal(['z', 'm', 'a']);
    });

    it('a ranking up to today counts today\'s views at once, and past days as an import or a reset left them', async () => {
      let now = Date.parse('2026-03-01T12:00:00Z');
      const daily = await freshWith({ maxPages: 100, now: () => now });
      for (const page of ['a', 'a', 'b', 'c']) await count(daily, page, 'v');
      now += DAY;
      await count(daily, 'b', 'v');
      const range = { from: '2026-02-28', to: '2026-03-02' };
      const top = async (limit: number): Promise<Array<{ page: string; views: number }>> => (await daily.topPagesRange(range, limit)).pages;
      expect(await top(10)).to.deep.equal([{ page: 'b', views: 2 }, { page: 'a', views: 2 }, { page: 'c', views: 1 }]);
      expect(await top(1), 'the limit holds').to.deep.equal([{ page: 'b', views: 2 }]);
      await count(daily, 'b', 'v');
      expect(await top(3), "today's view, at once").to.deep.equal([{ page: 'b', views: 3 }, { page: 'a', views: 2 }, { page: 'c', views: 1 }]);
      await daily.importPages([{ page: 'a', views: 10, days: [{ day: '2026-03-01', views: 10 }] }]);
      expect(await top(10), 'a past day set by an import').to.deep.equal([{ page: 'a', views: 10 }, { page: 'b', views: 3 }, { page: 'c', views: 1 }]);
      await daily.resetPage('a');
      expect(await top(10), 'a past day emptied by a reset').to.deep.equal([{ page: 'b', views: 3 }, { page: 'c', views: 1 }]);
      expect((await daily.topPagesRange({ from: '2026-02-28', to: '2026-03-01' }, 10)).pages, 'a range of past days alone').to.deep.equal([{ page: 'c', views: 1 }, { page: 'b', views: 1 }]);
    });

    it("a day's counts are deleted once the retention after its end has passed, other days' are kept", async () => {
      // 300 ms before midnight UTC with a retention of 0 days: the day's keys end at midnight.
      const midnight = Date.parse('2026-03-02T00:00:00Z');
      const now = clockFrom(midnight - 300);
      const brief = await freshWith({ maxPages: 100, now, retentionDays: 0 });
      await count(brief, 'a', 'v');
      const range = { from: '2026-03-01', to: '2026-03-02' };
      expect((await brief.pageRange('a', range)).days).to.deep.equal([{ day: '2026-03-01', views: 1 }, { day: '2026-03-02', views: 0 }]);
      await sleep(Math.max(0, midnight - now()) + 100);
      await count(brief, 'a', 'v');
      expect(await brief.pageRange('a', range)).to.deep.equal({ page: 'a', ...range, views: 1, visitors: 1, days: daySeries(range.from, range.to, { '2026-03-02': 1 }) });
      expect(await brief.topPagesRange(range, 10)).to.deep.include({ pages: [{ page: 'a', views: 1 }], total: 1 });
      expect(await brief.getPage('a'), 'the all-time figures are never deleted').to.deep.equal({ page: 'a', views: 2, visitors: 1 });
      // A retention of a day more keeps them a whole day after the day ends.
      const kept = await freshWith({ maxPages: 100, now: () => midnight + 2 * DAY - 1, retentionDays: 1 });
      await count(kept, 'a', 'v');
      expect((await kept.pageRange('a', { from: '2026-03-03', to: '2026-03-03' })).views).to.equal(1);
    });
  });

  describe('export, import and reset of pages', () => {
    const DAY = 24 * 60 * 60 * 1000;
    const yesterday = Date.parse('2026-03-01T12:00:00Z');
    const today = yesterday + DAY;
    const range = { from: '2026-02-28', to: '2026-03-02' };

    /** Every figure the API routes read from a store, for comparing two stores. */
    async function everything(target: ViewStore, pages: string[]): Promise<unknown> {
      return {
        top: await target.topPages(100),
        topRange: await target.topPagesRange(range, 100),
        totalsOnly: await target.topPagesRange(range, 0),
        pages: await Promise.all(pages.map(async (page) => [await target.getPage(page), await target.pageRange(page, range)])),
      };
    }

    /** A store with views of a, b and the home page over two days, by several visitors. */
    async function filled(): Promise<ViewStore> {
      let now = yesterday;
      const source = await freshWith({ maxPages: 100, now: () => now });
      for (const visitor of ['v1', 'v2', 'v3']) await count(source, 'a', visitor);
      await count(source, '/', 'v1');
      now = today;
      for (const visitor of ['v1', 'v4']) await count(source, 'a', visitor);
      await count(source, 'b/c', 'v2');
      return source;
    }

    it('export, then import into an empty store, gives the same figures from every read', async () => {
      const source = await filled();
      const exported = await source.exportPages();
      expect(exported.map(({ page, views, visitors, days }) => ({ page, views, visitors, days: days.map(({ day, views: v }) => ({ day, views: v })) }))).to.deep.equal([
        { page: 'a', views: 5, visitors: 4, days: [{ day: '2026-03-01', views: 3 }, { day: '2026-03-02', views: 2 }] },
        { page: 'b/c', views: 1, visitors: 1, days: [{ day: '2026-03-02', views: 1 }] },
        { page: '/', views: 1, visitors: 1, days: [{ day: '2026-03-01', views: 1 }] },
      ]);
      const target = await freshWith({ maxPages: 100, now: () => today });
      await target.importPages(JSON.parse(JSON.stringify(exported)) as typeof exported);
      expect(await everything(target, ['a', 'b/c', '/'])).to.deep.equal(await everything(source, ['a', 'b/c', '/']));
    });

    it('importing the same pages twice changes nothing', async () => {
      const exported = await (await filled()).exportPages();
      const target = await freshWith({ maxPages: 100, now: () => today });
      await target.importPages(exported);
      const once = await everything(target, ['a', 'b/c', '/']);
      await target.importPages(exported);
      expect(await everything(target, ['a', 'b/c', '/'])).to.deep.equal(once);
    });

    it('base counts set a page\'s total, and the total over pages moves by the difference; later views count on from there', async () => {
      const target = await freshWith({ maxPages: 100, now: () => today });
      await count(target, 'a', 'v1');
      await count(target, 'z', 'v1');
      await target.importPages([{ page: 'a', views: 1000, days: [] }, { page: 'old', views: 7, days: [] }]);
      expect(await target.topPages(10)).to.deep.equal({ pages: [{ page: 'a', views: 1000 }, { page: 'old', views: 7 }, { page: 'z', views: 1 }], total: 1008 });
      expect(await count(target, 'a', 'v2')).to.deep.equal({ page: 'a', views: 1001, visitors: 2 });
    });

    it('the first-seen day is the UTC day a page was first counted; the export carries it and an import sets it', async () => {
      const source = await filled();
      const firstSeen = (pages: Array<{ page: string; firstSeen?: string | undefined }>): Record<string, string | undefined> =>
        Object.fromEntries(pages.map(({ page, firstSeen: day }) => [page, day]));
      const exported = await source.exportPages();
      expect(firstSeen(exported)).to.deep.equal({ a: '2026-03-01', 'b/c': '2026-03-02', '/': '2026-03-01' });
      const target = await freshWith({ maxPages: 100, now: () => today });
      await target.importPages(exported);
      expect(firstSeen(await target.exportPages())).to.deep.equal(firstSeen(exported));
      // A later view of an existing page leaves its first-seen day as it is.
      await count(target, 'b/c', 'v9');
      expect(firstSeen(await target.exportPages())['b/c']).to.equal('2026-03-02');
    });

    it('an import sets the first-seen day it is given, or none (base counts), and a reset clears it: the next view starts it again', async () => {
      let now = today;
      const target = await freshWith({ maxPages: 100, now: () => now });
      await count(target, 'a', 'v1');
      await count(target, 'old', 'v1');
      await target.importPages([
        { page: 'old', views: 7, days: [] },
        { page: 'given', views: 3, firstSeen: '2020-05-05', days: [{ day: '2026-03-02', views: 1 }] },
      ]);
      const firstSeen = async (): Promise<Record<string, string | undefined>> => Object.fromEntries((await target.exportPages()).map(({ page, firstSeen: day }) => [page, day]));
      expect(await firstSeen()).to.deep.equal({ old: undefined, given: '2020-05-05', a: '2026-03-02' });
      await target.resetPage('given');
      now = today + DAY;
      await count(target, 'given', 'v1');
      expect((await firstSeen())['given']).to.equal('2026-03-03');
    });

    it('reset forgets one page on every read and takes its views off the totals; other pages keep theirs', async () => {
      const source = await filled();
      let now = today;
      const control = await freshWith({ maxPages: 100, now: () => now });
      now = yesterday;
      await count(control, '/', 'v1');
      now = today;
      await count(control, 'b/c', 'v2');
      expect(await source.resetPage('a')).to.deep.equal({ page: 'a', views: 5, visitors: 4 });
      expect(await everything(source, ['a', 'b/c', '/'])).to.deep.equal(await everything(control, ['a', 'b/c', '/']));
      expect(await source.resetPage('never')).to.deep.equal({ page: 'never', views: 0, visitors: 0 });
      expect((await source.exportPages()).map(({ page }) => page)).to.deep.equal(['b/c', '/']);
    });
  });

  describe('without visitor counting (VISITOR_MODE=off)', () => {
    const today = Date.parse('2026-03-02T12:00:00Z');
    const range = { from: '2026-03-01', to: '2026-03-02' };
    const viewsOnly = (): Promise<ViewStore> => freshWith({ maxPages: 100, now: () => today, countVisitors: false });

    it('counts views and answers visitors as null from every read: a view, a replay, the page, its range, a reset', async () => {
      const off = await viewsOnly();
      expect(await count(off, 'a', '')).to.deep.equal({ page: 'a', views: 1, visitors: null });
      expect(await keyed(off, 'a', '', 'key-1')).to.deep.equal({ stats: { page: 'a', views: 2, visitors: null }, replayed: false });
      expect(await keyed(off, 'a', '', 'key-1')).to.deep.equal({ stats: { page: 'a', views: 2, visitors: null }, replayed: true });
      expect(await off.getPage('a')).to.deep.equal({ page: 'a', views: 2, visitors: null });
      expect(await off.getPage('never')).to.deep.equal({ page: 'never', views: 0, visitors: null });
      expect(await off.pageRange('a', range)).to.deep.equal({ page: 'a', ...range, views: 2, visitors: null, days: [{ day: '2026-03-01', views: 0 }, { day: '2026-03-02', views: 2 }] });
      expect(await off.topPagesRange(range, 10)).to.deep.equal({ ...range, pages: [{ page: 'a', views: 2 }], total: 2, days: [{ day: '2026-03-01', views: 0 }, { day: '2026-03-02', views: 2 }] });
      expect(await off.resetPage('a')).to.deep.equal({ page: 'a', views: 2, visitors: null });
    });

    it('ignores the visitor ids it is given: two ids are no more visitors than one', async () => {
      const off = await viewsOnly();
      await count(off, 'a', 'v1');
      expect(await count(off, 'a', 'v2')).to.deep.equal({ page: 'a', views: 2, visitors: null });
    });

    it('exports visitors as null with no visitor state, and an import keeps the views and days but no visitor state', async () => {
      let now = today;
      const counting = await freshWith({ maxPages: 100, now: () => now });
      await count(counting, 'a', 'v1');
      await count(counting, 'a', 'v2');
      const withVisitors = await counting.exportPages();
      expect(withVisitors[0]?.visitorState, 'the counting store exports its visitor state').to.not.equal(undefined);
      const off = await viewsOnly();
      await off.importPages(withVisitors);
      expect(await off.exportPages()).to.deep.equal([{ page: 'a', views: 2, visitors: null, visitorState: undefined, firstSeen: '2026-03-02', days: [{ day: '2026-03-02', views: 2, visitorState: undefined }] }]);
      expect(await off.pageRange('a', range)).to.include({ views: 2, visitors: null });
      // Counting switched back on starts from what the views-only store kept: no visitors were imported.
      now = today;
      const after = await freshWith({ maxPages: 100, now: () => now });
      await after.importPages(await off.exportPages());
      expect(await after.getPage('a')).to.deep.equal({ page: 'a', views: 2, visitors: 0 });
    });
  });

  it('ping resolves while the store is up', async () => {
    await store.ping();
  });
}
