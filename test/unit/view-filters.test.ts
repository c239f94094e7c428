import { expect } from 'chai';
import { MemoryStore } from '../../src/store/memory.js';
import { NO_BUDGET, type ViewBudget } from '../../src/store/view-store.js';
import { VisitorIds } from '../../src/visitor.js';
import type { DroppedViewReason } from '../../src/metrics.js';
import { HARNESS_VISITOR_SECRET, startApp, type AppHarness, type AppOptions } from '../support/app-harness.js';

// The HTTP side of the view filters: prefetches, the abuse budget, PAGE_PATTERN, signed visitor ids, and
// page_tracker_views_dropped_total. The store rules themselves are held by the view store contract suite.
describe('views answered without counting (routes on the in-memory store)', () => {
  let app: AppHarness;
  afterEach(async () => {
    await app?.close();
  });

  async function start(options: AppOptions & { budget?: Partial<ViewBudget>; now?: () => number } = {}): Promise<AppHarness> {
    const { budget, now, ...rest } = options;
    const store = new MemoryStore({ maxPages: options.maxPages ?? 100, budget: { ...NO_BUDGET, ...budget }, ...(now === undefined ? {} : { now }) });
    app = await startApp({ ...rest, store });
    return app;
  }
  const post = (page: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${app.baseUrl}/api/views/${page}`, { method: 'POST', headers });
  const total = async (): Promise<number> => ((await (await fetch(`${app.baseUrl}/api/views`)).json()) as { total: number }).total;
  async function dropped(): Promise<Record<string, number>> {
    const { values } = await app.metrics.viewsDropped.get();
    return Object.fromEntries(values.filter((value) => value.value > 0).map((value) => [String(value.labels.reason), value.value]));
  }

  describe('prefetches', () => {
    for (const [header, value] of [
      ['Sec-Purpose', 'prefetch'],
      ['Sec-Purpose', 'prefetch;prerender'],
      ['Sec-Purpose', 'prefetch; anonymous-client-ip'],
      ['Purpose', 'prefetch'],
    ] as const) {
      it(`GET / and POST /api/views/{page} with ${header}: ${value} answer the figures, count nothing and set no cookie`, async () => {
        await start();
        await post('a');
        const home = await fetch(`${app.baseUrl}/`, { headers: { [header]: value } });
        expect(home.status).to.equal(200);
        expect(await home.text()).to.include('This page has been seen 0 times.');
        expect(home.headers.get('set-cookie')).to.equal(null);
        const api = await post('a', { [header]: value });
        expect(await api.json()).to.deep.equal({ page: 'a', views: 1, visitors: 1 });
        expect(api.headers.get('set-cookie')).to.equal(null);
        expect(await total()).to.equal(1);
        expect(await dropped()).to.deep.equal({ prefetch: 2 });
      });
    }

    it('other purposes are counted', async () => {
      await start();
      expect((await post('a', { 'Sec-Purpose': 'prefetchy' })).status).to.equal(200);
      expect(await total()).to.equal(1);
    });
  });

  describe('bots (IGNORE_BOTS) and Do Not Track (RESPECT_DNT)', () => {
    const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

    it('with IGNORE_BOTS=true a crawler is answered the figures on every counting route, counts nothing and gets no cookie', async () => {
      await start({ ignoreBots: true });
      await post('a', { 'User-Agent': FIREFOX });
      const api = await post('a', { 'User-Agent': GOOGLEBOT });
      expect(api.status).to.equal(200);
      expect(await api.json()).to.deep.equal({ page: 'a', views: 1, visitors: 1 });
      expect(api.headers.get('set-cookie')).to.equal(null);
      const home = await fetch(`${app.baseUrl}/`, { headers: { 'User-Agent': GOOGLEBOT } });
      expect(await home.text()).to.include('This page has been seen 0 times.');
      const badge = await fetch(`${app.baseUrl}/badge/a.svg?count=true`, { headers: { 'User-Agent': 'curl/8.5.0' } });
      expect(badge.status).to.equal(200);
      expect(await total()).to.equal(1);
      expect(await dropped()).to.deep.equal({ bot: 3 });
    });

    it('with IGNORE_BOTS unset a crawler is counted like anyone', async () => {
      await start();
      await post('a', { 'User-Agent': GOOGLEBOT });
      expect(await total()).to.equal(1);
      expect(await dropped()).to.deep.equal({});
    });

    for (const [header, value] of [['DNT', '1'], ['Sec-GPC', '1']] as const) {
      it(`with RESPECT_DNT=true a request with ${header}: ${value} is answered without counting; unset, it counts`, async () => {
        await start({ respectDnt: true });
        const api = await post('a', { [header]: value, 'User-Agent': FIREFOX });
        expect(await api.json()).to.deep.equal({ page: 'a', views: 0, visitors: 0 });
        expect((await post('a', { [header]: '0', 'User-Agent': FIREFOX })).status).to.equal(200);
        expect(await total()).to.equal(1);
        expect(await dropped()).to.deep.equal({ do_not_track: 1 });
        await app.close();
        await start();
        await post('a', { [header]: value });
        expect(await total(), 'RESPECT_DNT unset').to.equal(1);
      });
    }
  });

  describe('abuse budget', () => {
    // 45.5 s into a minute, 30 min 45.5 s into an hour.
    const now = Date.parse('2026-01-01T10:30:00Z') + 45_500;

    it('over its views per minute a client gets 429 with Retry-After (seconds to the window end) and nothing is counted', async () => {
      await start({ budget: { viewsPerWindow: 2 }, now: () => now });
      for (let i = 0; i < 2; i += 1) expect((await post('a')).status).to.equal(200);
      const refused = await post('a');
      expect(refused.status).to.equal(429);
      expect(refused.headers.get('retry-after')).to.equal('15');
      expect(await refused.json()).to.deep.include({ error: 'rate_limited', retryAfterSeconds: 15 });
      expect(await total()).to.equal(2);
      expect(await dropped()).to.deep.equal({ rate_limited: 1 });
    });

    it('over its new pages per hour a client gets 429 with Retry-After to the end of the hour; its views of existing pages count', async () => {
      await start({ budget: { newPagesPerWindow: 1 }, now: () => now });
      expect((await post('first')).status).to.equal(200);
      const refused = await post('second');
      expect(refused.status).to.equal(429);
      expect(refused.headers.get('retry-after')).to.equal(String(29 * 60 + 15));
      expect((await post('first')).status).to.equal(200);
      expect(await total()).to.equal(2);
    });

    it('without TRUST_PROXY the client is the socket address: a forged X-Forwarded-For buys no new budget', async () => {
      await start({ budget: { viewsPerWindow: 1 } });
      expect((await post('a', { 'X-Forwarded-For': '192.0.2.1' })).status).to.equal(200);
      expect((await post('a', { 'X-Forwarded-For': '192.0.2.2' })).status).to.equal(429);
    });

    it('with TRUST_PROXY the client is the rightmost X-Forwarded-For entry (the address the proxy saw), an IPv6 client its /64', async () => {
      await start({ budget: { viewsPerWindow: 1 }, trustProxy: true });
      expect((await post('a', { 'X-Forwarded-For': '192.0.2.1' })).status).to.equal(200);
      expect((await post('a', { 'X-Forwarded-For': '192.0.2.1' })).status).to.equal(429);
      expect((await post('a', { 'X-Forwarded-For': '192.0.2.1, 192.0.2.2' })).status, 'another client behind the proxy').to.equal(200);
      expect((await post('a', { 'X-Forwarded-For': '2001:db8:1:2::1' })).status).to.equal(200);
      expect((await post('a', { 'X-Forwarded-For': '2001:db8:1:2:ffff::9' })).status, 'the same /64').to.equal(429);
      expect((await post('a', { 'X-Forwarded-For': '2001:db8:1:3::1' })).status, 'another /64').to.equal(200);
    });
  });

  describe('PAGE_PATTERN', () => {
    it('a new page outside it is a 404 page_not_tracked and counts nothing; matching and existing pages and the home page count', async () => {
      const seeded = new MemoryStore({ maxPages: 100 });
      await seeded.recordView({ page: 'legacy', visitorId: 'v' });
      app = await startApp({ store: seeded, pagePattern: /^(?:blog\/[a-z-]+)$/u });
      const refused = await post('junk-1');
      expect(refused.status).to.equal(404);
      expect(await refused.json()).to.deep.include({ error: 'page_not_tracked' });
      expect((await post('blog/hello')).status).to.equal(200);
      expect((await post('legacy')).status, 'a page tracked before the pattern').to.equal(200);
      expect((await fetch(`${app.baseUrl}/`)).status).to.equal(200);
      expect(await (await fetch(`${app.baseUrl}/api/views`)).json()).to.deep.equal({
        pages: [{ page: 'legacy', views: 2 }, { page: 'blog/hello', views: 1 }, { page: '/', views: 1 }],
        total: 4,
      });
      expect(await dropped()).to.deep.equal({ pattern_refused: 1 });
    });
  });

  describe('signed visitor ids', () => {
    const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const cookieOf = (response: Response): string => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    it('a cookie the service signed is honoured; a forged, unsigned or foreign-signed one is no cookie and gets a new id', async () => {
      await start();
      const issued = cookieOf(await post('a'));
      expect(issued).to.match(/^pt_visitor=[0-9a-f-]{36}\.[\w-]{43}$/);
      const back = await post('a', { cookie: issued });
      expect(back.headers.get('set-cookie')).to.equal(null);
      expect(await back.json()).to.deep.equal({ page: 'a', views: 2, visitors: 1 });

      const signature = new VisitorIds(HARNESS_VISITOR_SECRET).cookieValue(ID).split('.')[1] ?? '';
      const forgeries = {
        'an id with another id\'s signature': `pt_visitor=${ID.replace('0f8f', '1f8f')}.${signature}`,
        'an unsigned id (as cookies were before signing)': `pt_visitor=${ID}`,
        'an id signed with another secret': `pt_visitor=${new VisitorIds('another-secret-of-at-least-32-chars').cookieValue(ID)}`,
      };
      for (const [what, cookie] of Object.entries(forgeries)) {
        const answer = await post('a', { cookie });
        expect(cookieOf(answer), what).to.match(/^pt_visitor=[0-9a-f-]{36}\.[\w-]{43}$/);
        expect(cookieOf(answer), what).to.not.include(ID);
      }
      expect(await (await fetch(`${app.baseUrl}/api/views/a`)).json(), 'each forgery counted as a new visitor').to.deep.include({ visitors: 4 });
      const signed = await post('a', { cookie: `pt_visitor=${new VisitorIds(HARNESS_VISITOR_SECRET).cookieValue(ID)}` });
      expect(signed.headers.get('set-cookie'), 'the id with its own signature').to.equal(null);
    });
  });

  it('page_tracker_views_dropped_total counts each request not counted once, by reason, and starts every reason at 0', async () => {
    await start({ maxPages: 1, budget: { viewsPerWindow: 4 } });
    const reasons = (await app.metrics.viewsDropped.get()).values.map((value) => value.labels.reason);
    const every: DroppedViewReason[] = ['prefetch', 'bot', 'do_not_track', 'rate_limited', 'page_limit', 'duplicate', 'key_reused', 'pattern_refused', 'origin_refused'];
    expect(reasons).to.have.members(every);
    expect((await post('a', { 'Idempotency-Key': 'k1' })).status).to.equal(200);
    expect((await post('a', { 'Idempotency-Key': 'k1' })).status).to.equal(200);
    expect((await post('b', { 'Idempotency-Key': 'k1' })).status).to.equal(422);
    expect((await post('b')).status).to.equal(409);
    expect((await post('a', { 'Sec-Purpose': 'prefetch' })).status).to.equal(200);
    for (let i = 0; i < 3; i += 1) await post('a');
    expect((await post('a')).status).to.equal(429);
    expect(await dropped()).to.deep.equal({ duplicate: 1, key_reused: 1, page_limit: 1, prefetch: 1, rate_limited: 1 });
    expect((await app.metrics.viewsTotal.get()).values[0]?.value).to.equal(4);
  });
});
