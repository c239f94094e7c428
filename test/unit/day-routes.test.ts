import { expect } from 'chai';
import { MemoryStore } from '../../src/store/memory.js';
import { startApp, type AppHarness } from '../support/app-harness.js';
import { daySeries } from '../support/day-series.js';
import { checkedFetch } from '../support/openapi-check.js';

// The range routes over HTTP, each answer checked against src/openapi.ts. The per-day rules themselves (days,
// expiry, ranking order) are held for both stores by the view store contract suite.
describe('per-day routes: GET /api/views/{page} and GET /api/views with from and to', () => {
  let app: AppHarness;
  // Noon UTC on 2026-03-10: today, for the app and the store alike.
  let now = Date.parse('2026-03-10T12:00:00Z');
  beforeEach(async () => {
    now = Date.parse('2026-03-10T12:00:00Z');
    const clock = (): number => now;
    app = await startApp({ store: new MemoryStore({ maxPages: 100, now: clock }), now: clock });
  });
  afterEach(async () => {
    await app.close();
  });

  const post = (page: string): Promise<Response> => checkedFetch(`${app.baseUrl}/api/views/${page}`, { method: 'POST' });
  const getJson = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await checkedFetch(`${app.baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("a page's daily series and the range's views and visitors", async () => {
    now = Date.parse('2026-03-08T09:00:00Z');
    await post('docs/intro');
    now = Date.parse('2026-03-10T12:00:00Z');
    await post('docs/intro');
    await post('docs/intro');
    const { status, body } = await getJson('/api/views/docs/intro?from=2026-03-08&to=2026-03-10');
    expect(status).to.equal(200);
    expect(body).to.deep.equal({
      page: 'docs/intro',
      from: '2026-03-08',
      to: '2026-03-10',
      // Each fetch is a visitor of its own (no cookie is sent back).
      views: 3,
      visitors: 3,
      days: daySeries('2026-03-08', '2026-03-10', { '2026-03-08': 1, '2026-03-10': 2 }),
    });
    expect((await getJson('/api/views/docs/intro')).body, 'without from and to: all time').to.deep.equal({ page: 'docs/intro', views: 3, visitors: 3 });
  });

  it('only `from` or only `to`: the other end defaults to today, or to 30 days up to `to`', async () => {
    await post('a');
    const toToday = (await getJson('/api/views/a?from=2026-03-09')).body;
    expect(toToday).to.deep.include({ from: '2026-03-09', to: '2026-03-10', views: 1 });
    const thirty = (await getJson('/api/views?to=2026-03-10')).body;
    expect(thirty).to.deep.include({ from: '2026-02-09', to: '2026-03-10', total: 1, pages: [{ page: 'a', views: 1 }] });
    expect(thirty.days).to.have.length(30);
  });

  it('the top pages over a range, with the limit', async () => {
    now = Date.parse('2026-03-01T12:00:00Z');
    for (const page of ['old', 'old', 'old']) await post(page);
    now = Date.parse('2026-03-10T12:00:00Z');
    for (const page of ['new', 'new', 'other']) await post(page);
    expect((await getJson('/api/views?from=2026-03-02&to=2026-03-10&limit=1')).body).to.deep.include({ pages: [{ page: 'new', views: 2 }], total: 3 });
    expect((await getJson('/api/views?from=2026-03-01&to=2026-03-10')).body).to.deep.include({
      pages: [{ page: 'old', views: 3 }, { page: 'new', views: 2 }, { page: 'other', views: 1 }],
      total: 6,
    });
  });

  it("a page's range may cover 366 days, the top pages' 31", async () => {
    expect(((await getJson('/api/views/a?from=2025-03-10&to=2026-03-10')).body.days as unknown[]).length).to.equal(366);
    expect(((await getJson('/api/views?from=2026-02-08&to=2026-03-10')).body.days as unknown[]).length).to.equal(31);
    const { status, body } = await getJson('/api/views?from=2026-02-07&to=2026-03-10');
    expect(status).to.equal(400);
    expect(body).to.deep.include({ error: 'invalid_query', parameter: 'to' });
    expect(body.message).to.include('covers 32 days; at most 31');
  });

  for (const [query, parameter, says] of [
    ['from=yesterday', 'from', 'YYYY-MM-DD'],
    ['from=2026-02-30&to=2026-03-01', 'from', 'YYYY-MM-DD'],
    ['to=2026-13-01', 'to', 'YYYY-MM-DD'],
    ['to=2026-3-1', 'to', 'YYYY-MM-DD'],
    ['from=2026-03-01&from=2026-03-02', 'from', 'YYYY-MM-DD'],
    ['from=', 'from', 'YYYY-MM-DD'],
    ['from=2026-03-10&to=2026-03-01', 'from', 'is after to'],
    ['from=2025-03-09&to=2026-03-10', 'to', 'covers 367 days; at most'],
    ['from=2026-03-01&to=2026-03-02&limit=0', 'limit', 'limit must be'],
    ['from=2026-03-01&to=2026-03-02&limit=101', 'limit', 'limit must be'],
  ] as const) {
    // limit is a parameter of the ranking alone.
    const paths = parameter === 'limit' ? ['/api/views'] : ['/api/views', '/api/views/a'];
    it(`?${query} is a 400 invalid_query naming ${parameter} (${paths.join(', ')}) and counts nothing`, async () => {
      for (const path of paths) {
        const { status, body } = await getJson(`${path}?${query}`);
        expect(status, path).to.equal(400);
        expect(body).to.deep.include({ error: 'invalid_query', parameter });
        expect(body.message).to.include(says);
      }
      expect((await getJson('/api/views')).body).to.deep.equal({ pages: [], total: 0 });
    });
  }
});
