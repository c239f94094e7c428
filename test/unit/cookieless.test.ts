import { expect } from 'chai';
import { MemoryStore } from '../../src/store/memory.js';
import { VISITOR_SALT_LIFETIME_MS } from '../../src/store/view-store.js';
import { startApp, type AppHarness } from '../support/app-harness.js';
import { checkedFetch } from '../support/openapi-check.js';

// VISITOR_MODE=cookieless over HTTP, on the in-memory store with a pinned clock. The address the app sees is
// 127.0.0.1 for every request here, so the User-Agent is what tells these visitors apart.
describe('VISITOR_MODE=cookieless', () => {
  let app: AppHarness;
  let now = Date.parse('2026-03-10T12:00:00Z');
  const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
  const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
  beforeEach(async () => {
    now = Date.parse('2026-03-10T12:00:00Z');
    const clock = (): number => now;
    app = await startApp({ store: new MemoryStore({ maxPages: 100, now: clock }), now: clock, visitorMode: 'cookieless' });
  });
  afterEach(async () => {
    await app.close();
  });
  const post = (userAgent: string): Promise<Response> => checkedFetch(`${app.baseUrl}/api/views/a`, { method: 'POST', headers: { 'User-Agent': userAgent } });

  it('sets no cookie, counts the same address and User-Agent as one visitor a day, and another User-Agent as another', async () => {
    const first = await post(FIREFOX);
    expect(first.headers.get('set-cookie')).to.equal(null);
    expect(await first.json()).to.deep.equal({ page: 'a', views: 1, visitors: 1 });
    expect(await (await post(FIREFOX)).json()).to.deep.equal({ page: 'a', views: 2, visitors: 1 });
    expect(await (await post(CHROME)).json()).to.deep.equal({ page: 'a', views: 3, visitors: 2 });
  });

  it('the next day has a new salt: the same person is a new visitor, in the day and all time', async () => {
    await post(FIREFOX);
    now += 24 * 3600 * 1000;
    expect(await (await post(FIREFOX)).json(), 'all time').to.deep.equal({ page: 'a', views: 2, visitors: 2 });
    const days = (await (await checkedFetch(`${app.baseUrl}/api/views/a?from=2026-03-10&to=2026-03-11`)).json()) as { visitors: number };
    expect(days.visitors, 'over both days').to.equal(2);
  });

  it('the home page says how visitors are counted', async () => {
    expect(await (await fetch(`${app.baseUrl}/`)).text()).to.include('(each address and browser is one visitor a day, without cookies).');
  });

  it('logs neither the address nor the User-Agent', async () => {
    await post(FIREFOX);
    const lines = JSON.stringify(app.logLines());
    expect(lines).to.include('"route":"/api/views/:page"');
    expect(lines).to.not.include('127.0.0.1').and.to.not.include('Firefox');
  });
});

describe('MemoryStore visitor salts, by its clock', () => {
  it('keeps the first salt of a day for 48 hours to the millisecond, then takes a new one', async () => {
    let now = Date.parse('2026-03-10T12:00:00Z');
    const store = new MemoryStore({ maxPages: 10, now: () => now });
    expect(await store.visitorSalt('2026-03-10', 'first')).to.equal('first');
    expect(await store.visitorSalt('2026-03-10', 'second')).to.equal('first');
    expect(await store.visitorSalt('2026-03-11', 'other day')).to.equal('other day');
    now += VISITOR_SALT_LIFETIME_MS - 1;
    expect(await store.visitorSalt('2026-03-10', 'third')).to.equal('first');
    now += 1;
    expect(await store.visitorSalt('2026-03-10', 'fourth')).to.equal('fourth');
  });
});
