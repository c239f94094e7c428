import { expect } from 'chai';
import { PageLimitReachedError } from '../../src/errors.js';
import type { ViewStore } from '../../src/store/view-store.js';

/**
 * 128 distinct visitor ids whose Redis HyperLogLog count reads 129 (Redis's hash is fixed, so this holds on
 * every server): test/integration/redis-store.test.ts checks that it still overshoots.
 */
export const OVERSHOOTING_VISITORS = Array.from({ length: 128 }, (_, i) => `visitor-${i + 1}`);

/**
 * The behaviour every ViewStore must have. Called from one describe() per implementation;
 * `makeStore(maxPages)` returns a store over empty storage.
 */
export function viewStoreContract(makeStore: (maxPages: number) => Promise<ViewStore>): void {
  let store: ViewStore;
  const open: ViewStore[] = [];
  async function fresh(maxPages = 100): Promise<ViewStore> {
    const made = await makeStore(maxPages);
    open.push(made);
    return made;
  }

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
    expect(await store.recordView('a', 'visitor-1')).to.deep.equal({ page: 'a', views: 1, visitors: 1 });
    expect(await store.recordView('a', 'visitor-1')).to.deep.equal({ page: 'a', views: 2, visitors: 1 });
    expect(await store.recordView('a', 'visitor-2')).to.deep.equal({ page: 'a', views: 3, visitors: 2 });
    expect(await store.getPage('a')).to.deep.equal({ page: 'a', views: 3, visitors: 2 });
  });

  it('pages are counted separately', async () => {
    await store.recordView('a', 'v');
    await store.recordView('b', 'v');
    await store.recordView('b', 'v');
    expect((await store.getPage('a')).views).to.equal(1);
    expect((await store.getPage('b')).views).to.equal(2);
  });

  it('topPages ranks by views, honours the limit, and totals every page', async () => {
    for (const [page, count] of [['low', 1], ['high', 3], ['mid', 2]] as const) {
      for (let i = 0; i < count; i += 1) await store.recordView(page, `v${i}`);
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
    await Promise.all(Array.from({ length: distinct }, (_, i) => store.recordView('popular', `visitor-${i}`)));
    const { views, visitors } = await store.getPage('popular');
    expect(views).to.equal(distinct);
    expect(visitors).to.be.within(distinct * 0.98, distinct * 1.02);
  });

  it('past MAX_PAGES a new page is refused and nothing is written; existing pages keep counting', async () => {
    const capped = await fresh(2);
    await capped.recordView('one', 'v');
    await capped.recordView('two', 'v');
    let refused: unknown;
    try {
      await capped.recordView('three', 'v');
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(PageLimitReachedError);
    expect(await capped.getPage('three')).to.deep.equal({ page: 'three', views: 0, visitors: 0 });
    expect(await capped.topPages(10)).to.deep.equal({ pages: [{ page: 'two', views: 1 }, { page: 'one', views: 1 }], total: 2 });
    expect((await capped.recordView('one', 'v')).views).to.equal(2);
  });

  it('many concurrent views of one page are all counted, and the ranking agrees', async () => {
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.recordView('busy', `v${i % 7}`)));
    expect(await store.getPage('busy')).to.deep.equal({ page: 'busy', views: 500, visitors: 7 });
    expect(await store.topPages(1)).to.deep.equal({ pages: [{ page: 'busy', views: 500 }], total: 500 });
  });

  it('never answers more visitors than views, even where the visitor estimate overshoots', async () => {
    for (let i = 1; i <= OVERSHOOTING_VISITORS.length; i += 1) {
      const answer = await store.recordView('estimated', OVERSHOOTING_VISITORS[i - 1] ?? '');
      expect(answer.visitors, `after ${i} views`).to.be.at.most(answer.views);
    }
    expect(await store.getPage('estimated')).to.deep.equal({ page: 'estimated', views: 128, visitors: 128 });
  });

  it('ping resolves while the store is up', async () => {
    await store.ping();
  });
}
