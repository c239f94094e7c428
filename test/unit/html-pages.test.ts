import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { PAGE_CSP } from '../../src/html.js';
import { HOME_RANKING_MAX_AGE_MS } from '../../src/routes/home.js';
import { MemoryStore } from '../../src/store/memory.js';
import { NO_BUDGET } from '../../src/store/view-store.js';
import { startApp, type AppHarness } from '../support/app-harness.js';
import { BROWSER_ACCEPT } from '../support/browser-accept.js';
import { getUnnormalised } from '../support/unnormalised-get.js';

/** Asks as a browser's navigation does: HTML preferred. */
function openInBrowser(app: AppHarness, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.baseUrl}${path}`, { headers: { accept: BROWSER_ACCEPT, ...headers } });
}

/** The error page every HTML error answer is: its status, type, CSP, Vary, layout and error code. */
async function expectErrorPage(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).to.equal(status);
  expect(response.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
  expect(response.headers.get('content-security-policy')).to.equal(PAGE_CSP);
  expect(response.headers.get('vary')).to.match(/accept/i);
  const body = await response.text();
  expect(body).to.include('<meta name="viewport"').and.to.include(`<code>${code}</code>`).and.to.include('<a href="/">');
  return body;
}

describe('HTML answers for people, JSON for API clients (in-memory store)', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp({ maxPages: 1 });
  });
  afterEach(async () => {
    await app.close();
  });

  const open = (path: string, headers: Record<string, string> = {}): Promise<Response> => openInBrowser(app, path, headers);

  it('no site may frame a page or a badge, no answer sends a Referer onwards, and none lets a browser guess its type', async () => {
    expect(PAGE_CSP.split('; ')).to.include("frame-ancestors 'none'");
    const requests: Array<[string, string]> = [['/', BROWSER_ACCEPT], ['/no/such/page', BROWSER_ACCEPT], ['/badge/home.svg', '*/*'], ['/api/views', 'application/json'], ['/healthz', '*/*'], ['/pt.js', '*/*']];
    for (const [path, accept] of requests) {
      const response = await fetch(`${app.baseUrl}${path}`, { headers: { accept } });
      expect(response.headers.get('referrer-policy'), path).to.equal('no-referrer');
      expect(response.headers.get('x-content-type-options'), path).to.equal('nosniff');
      if (/^(text\/html|image\/svg)/.test(response.headers.get('content-type') ?? '')) {
        expect(response.headers.get('content-security-policy'), path).to.include("frame-ancestors 'none'");
      }
    }
  });

  it('an unknown address opened in a browser is a 404 page saying what to do', async () => {
    const body = await expectErrorPage(await open('/no/such/page'), 404, 'not_found');
    expect(body).to.include('<h1>404 Not Found</h1>').and.to.include('No route for GET /no/such/page.').and.to.include('Check the address');
  });

  it('the same 404 stays JSON for curl and fetch (Accept */* or none) and under /api/ even for a browser', async () => {
    for (const [path, accept] of [
      ['/no/such/page', '*/*'],
      ['/no/such/page', ''],
      ['/api/no/such', BROWSER_ACCEPT],
    ] as const) {
      const response = await fetch(`${app.baseUrl}${path}`, { headers: accept === '' ? {} : { accept } });
      expect(response.status).to.equal(404);
      expect(response.headers.get('content-type'), `${path} with Accept ${accept}`).to.match(/^application\/json/);
      expect(await response.json()).to.deep.include({ error: 'not_found' });
    }
  });

  it('a full MAX_PAGES is a 409 page on / for a browser and JSON for an API client', async () => {
    expect((await fetch(`${app.baseUrl}/api/views/other`, { method: 'POST' })).status).to.equal(200);
    const body = await expectErrorPage(await open('/'), 409, 'page_limit_reached');
    expect(body).to.include('maximum of 1 distinct pages').and.to.include('MAX_PAGES');
    const json = await fetch(`${app.baseUrl}/`, { headers: { accept: 'application/json' } });
    expect(json.status).to.equal(409);
    expect(await json.json()).to.deep.include({ error: 'page_limit_reached', maxPages: 1 });
  });

  it('a bad Idempotency-Key on / is a 400 page', async () => {
    await expectErrorPage(await open('/', { 'idempotency-key': 'bad key' }), 400, 'invalid_idempotency_key');
  });

  it('a wrong method on / is a 405 page that keeps the Allow header', async () => {
    const response = await fetch(`${app.baseUrl}/`, { method: 'DELETE', headers: { accept: BROWSER_ACCEPT } });
    expect(response.headers.get('allow')).to.include('GET');
    await expectErrorPage(response, 405, 'method_not_allowed');
  });

  it('escapes what the address says: markup in a path comes back as text', async () => {
    const { status, body } = await getUnnormalised(app.baseUrl, '/<script>alert(1)</script>', { accept: BROWSER_ACCEPT });
    expect(status).to.equal(404);
    expect(body).to.include('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(body).to.not.include('<script>');
  });

  it('/favicon.ico answers the inline icon as SVG, cacheable, instead of a 404', async () => {
    const response = await fetch(`${app.baseUrl}/favicon.ico`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^image\/svg\+xml/);
    expect(response.headers.get('cache-control')).to.match(/max-age=\d+/);
    expect(await response.text()).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const home = await (await open('/')).text();
    expect(home).to.include('<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,');
  });
});

describe("the abuse budget's refusals as HTML pages (in-memory store)", () => {
  let app: AppHarness;
  afterEach(async () => {
    await app.close();
  });

  it('over its views per minute, a browser on / gets a 429 page saying when to come back, with Retry-After kept; JSON stays JSON', async () => {
    // 45.5 s into a minute: 15 s left of it, rounded up.
    const now = Date.parse('2026-01-01T10:30:00Z') + 45_500;
    app = await startApp({ store: new MemoryStore({ maxPages: 100, budget: { ...NO_BUDGET, viewsPerWindow: 1 }, now: () => now }) });
    expect((await fetch(`${app.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } })).status).to.equal(200);
    const response = await fetch(`${app.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.headers.get('retry-after')).to.equal('15');
    const body = await expectErrorPage(response, 429, 'rate_limited');
    expect(body).to.include('<h1>429 Too Many Requests</h1>').and.to.include('try again in 15 s.').and.to.include('Reload this page once that time has passed.');
    const json = await fetch(`${app.baseUrl}/`, { headers: { accept: 'application/json' } });
    expect(json.status).to.equal(429);
    expect(json.headers.get('retry-after')).to.equal('15');
    expect(await json.json()).to.deep.include({ error: 'rate_limited', retryAfterSeconds: 15 });
  });

  it('a badge of a new page outside PAGE_PATTERN, opened in a browser, is a 404 page_not_tracked page', async () => {
    app = await startApp({ pagePattern: /^(?:blog\/[a-z-]+)$/u });
    const body = await expectErrorPage(await openInBrowser(app, '/badge/junk.svg?count=true'), 404, 'page_not_tracked');
    expect(body).to.include('<h1>404 Not Found</h1>').and.to.include('does not match PAGE_PATTERN').and.to.include('pages its operator lists in PAGE_PATTERN');
    expect((await openInBrowser(app, '/badge/blog/hello.svg?count=true')).status, 'a page the pattern allows').to.equal(200);
  });
});

describe('the home page (in-memory store)', () => {
  let app: AppHarness;
  let store: MemoryStore;
  beforeEach(async () => {
    store = new MemoryStore({ maxPages: 100 });
    app = await startApp({ store });
  });
  afterEach(async () => {
    await app.close();
  });

  it('shows the count sentence, the visitors, the top pages and how to embed the counter', async () => {
    for (let i = 0; i < 3; i += 1) await fetch(`${app.baseUrl}/api/views/docs/intro`, { method: 'POST' });
    const response = await fetch(`${app.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.headers.get('content-security-policy')).to.equal(PAGE_CSP);
    const body = await response.text();
    expect(body).to.include('<h1>This page has been seen 1 time.</h1>').and.to.include('By 1 visitor ');
    expect(body).to.match(/<code>docs\/intro<\/code><\/td><td class="n">3<\/td>[\s\S]*<code>\/<\/code><\/td><td class="n">1<\/td>/);
    expect(body).to.include('4 views counted over all pages.');
    expect(body).to.include(`&lt;script src="${app.baseUrl}/pt.js" async&gt;&lt;/script&gt;`).and.to.include('data-page-tracker');
    expect(body).to.include(`${app.baseUrl}/badge/docs/intro.svg?count=true`).and.to.include('href="/openapi.json"');
    expect(body).to.include('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(body, 'no external asset').to.not.match(/<(?:link|img|style|iframe)\b[^>]*(?:src|href)="https?:/);
    expect(body, 'no script').to.not.include('<script');
  });

  it('charts the last 30 days of views over all pages as an inline SVG, with a title, a description and the figures as text', async () => {
    await app.close();
    let now = Date.parse('2026-03-08T23:00:00Z');
    const clock = (): number => now;
    store = new MemoryStore({ maxPages: 100, now: clock });
    app = await startApp({ store, now: clock });
    await fetch(`${app.baseUrl}/api/views/a`, { method: 'POST' });
    now = Date.parse('2026-03-10T08:00:00Z');
    for (let i = 0; i < 3; i += 1) await fetch(`${app.baseUrl}/api/views/a`, { method: 'POST' });
    const body = await (await fetch(`${app.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } })).text();
    const svg = /<svg [^>]*role="img"[^>]*aria-labelledby="recent-title recent-desc"[^>]*>([\s\S]*?)<\/svg>/.exec(body)?.[1];
    expect(svg, 'an inline SVG labelled by its title and description').to.be.a('string');
    expect(svg).to.include('<title id="recent-title">Views per day over all pages, the last 30 days</title>');
    // The home view itself counts on 2026-03-10 too: 4 views that day, 5 in all.
    expect(svg).to.include('<desc id="recent-desc">5 views from 2026-02-09 to 2026-03-10 (UTC days), at most 4 views on one day.</desc>');
    expect(svg?.match(/<rect /g), 'one bar a day').to.have.length(30);
    expect(svg).to.include('<title>2026-03-08: 1 view</title>').and.to.include('<title>2026-03-10: 4 views</title>').and.to.include('<title>2026-03-09: 0 views</title>');
    // The tallest bar is the chart's full height; a day of a quarter of it is a quarter as tall.
    expect(svg).to.match(/y="0" width="10" height="60"><title>2026-03-10: 4 views/).and.to.match(/y="45" width="10" height="15"><title>2026-03-08: 1 view/);
    expect(body).to.include('<figcaption>5 views from 2026-02-09 to 2026-03-10 (UTC days), at most 4 views on one day.</figcaption>');
    expect(body).to.include('<tr><td>2026-03-09</td><td class="n">0</td></tr>').and.to.include('<tr><td>2026-03-10</td><td class="n">4</td></tr>');
    expect(body, 'no script').to.not.include('<script');
    expect(body, 'no style attribute, which the CSP would block').to.not.match(/\sstyle=/);
  });

  it('escapes page names: a name written before the page-name rules comes back as text', async () => {
    await store.recordView({ page: '<img src=x onerror=alert(1)>', visitorId: 'v' });
    const body = await (await fetch(`${app.baseUrl}/`)).text();
    expect(body).to.include('<code>&#60;img src=x onerror=alert(1)&#62;</code>');
    expect(body).to.not.include('<img');
  });

  it('escapes the Host header the embed snippet is built from', async () => {
    const { body } = await getUnnormalised(app.baseUrl, '/', { host: 'x"><b>y' });
    expect(body).to.include('http://x&#34;&#62;&#60;b&#62;y/pt.js');
    expect(body).to.not.include('<b>');
  });

  it(`reuses one ranking for ${HOME_RANKING_MAX_AGE_MS} ms, then shows the new one`, async () => {
    await fetch(`${app.baseUrl}/`);
    await fetch(`${app.baseUrl}/api/views/fresh`, { method: 'POST' });
    expect(await (await fetch(`${app.baseUrl}/`)).text()).to.not.include('<code>fresh</code>');
    await sleep(HOME_RANKING_MAX_AGE_MS + 50);
    expect(await (await fetch(`${app.baseUrl}/`)).text()).to.include('<code>fresh</code>');
  });
});
