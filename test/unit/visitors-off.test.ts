import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { MemoryStore } from '../../src/store/memory.js';
import { startApp, type AppHarness } from '../support/app-harness.js';
import { refusal } from '../support/config-refusal.js';
import { checkedFetch } from '../support/openapi-check.js';

// VISITOR_MODE=off over HTTP, on the in-memory store with a pinned clock: views only, and every answer that
// has a visitors figure says null (checked against the OpenAPI document by checkedFetch).
describe('VISITOR_MODE=off', () => {
  let app: AppHarness;
  const clock = (): number => Date.parse('2026-03-10T12:00:00Z');
  beforeEach(async () => {
    app = await startApp({ store: new MemoryStore({ maxPages: 100, now: clock, countVisitors: false }), now: clock, visitorMode: 'off' });
  });
  afterEach(async () => {
    await app.close();
  });

  it('is accepted by the configuration; an unknown mode is refused naming the modes', () => {
    expect(loadConfig({ VISITOR_MODE: 'off' }).visitorMode).to.equal('off');
    expect(refusal({ VISITOR_MODE: 'none' }).message).to.include('VISITOR_MODE').and.include('cookie, cookieless, off').and.include('"none"');
  });

  it('sets no cookie, ignores one sent, and answers visitors as null', async () => {
    const first = await checkedFetch(`${app.baseUrl}/api/views/a`, { method: 'POST' });
    expect(first.headers.get('set-cookie')).to.equal(null);
    expect(await first.json()).to.deep.equal({ page: 'a', views: 1, visitors: null });
    const withCookie = await checkedFetch(`${app.baseUrl}/api/views/a`, { method: 'POST', headers: { Cookie: 'pt_visitor=anything' } });
    expect(withCookie.headers.get('set-cookie')).to.equal(null);
    expect(await withCookie.json()).to.deep.equal({ page: 'a', views: 2, visitors: null });
    expect(await (await checkedFetch(`${app.baseUrl}/api/views/a`)).json()).to.deep.equal({ page: 'a', views: 2, visitors: null });
  });

  it('the range answer has the days and visitors null', async () => {
    await checkedFetch(`${app.baseUrl}/api/views/a`, { method: 'POST' });
    const range = await (await checkedFetch(`${app.baseUrl}/api/views/a?from=2026-03-09&to=2026-03-10`)).json();
    expect(range).to.deep.equal({ page: 'a', from: '2026-03-09', to: '2026-03-10', views: 1, visitors: null, days: [{ day: '2026-03-09', views: 0 }, { day: '2026-03-10', views: 1 }] });
  });

  it('the home page counts its view, sets no cookie and says visitors are not counted; its JSON says null', async () => {
    const html = await fetch(`${app.baseUrl}/`);
    expect(html.headers.get('set-cookie')).to.equal(null);
    const text = await html.text();
    expect(text).to.include('This page has been seen 1 time.').and.include('Views only (visitors are not counted: no cookie, nothing about a visitor is kept).');
    expect(text).to.not.include('visitor,').and.not.include('By ');
    expect(await (await checkedFetch(`${app.baseUrl}/`, { headers: { Accept: 'application/json' } })).json()).to.deep.equal({ page: '/', views: 2, visitors: null });
  });

  it('the badge counts and shows views', async () => {
    const badge = await checkedFetch(`${app.baseUrl}/badge/a.svg?count=true`);
    expect(badge.headers.get('set-cookie')).to.equal(null);
    expect(await badge.text()).to.include('a: 1 view');
  });
});
