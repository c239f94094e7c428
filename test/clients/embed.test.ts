// The embed script in the real Chromium: pages of other origins (other ports on 127.0.0.1, and localhost,
// which is another site) count their views through /pt.js when ALLOWED_ORIGINS lists them, and not otherwise.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

interface Site {
  server: Server;
  port: number;
}

/** A site of its own: every path answers a page that includes the tracker's script and marks two elements. */
async function startSite(tracker: () => string): Promise<Site> {
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><title>a site</title>
<script src="${tracker()}/pt.js" async></script></head>
<body><p>Seen <span id="views" data-page-tracker>?</span> times by <span id="visitors" data-page-tracker="visitors">?</span> visitors.</p></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The service on a fresh Redis, `siteCount` sites including its script, and Chromium. */
interface Tracking {
  redis: RedisServer;
  service: RunningService;
  browser: Browser;
  sites: Site[];
}

/** `env(sites)`: the service's environment besides REDIS_URL and LOG_LEVEL, from the sites (their origins for ALLOWED_ORIGINS). */
async function startTracking(siteCount: number, env: (sites: Site[]) => Record<string, string>): Promise<Tracking> {
  const redis = await startRedis();
  // The sites need the service's address and the service needs the sites' origins: sites first.
  let trackerUrl = '';
  const sites = await Promise.all(Array.from({ length: siteCount }, () => startSite(() => trackerUrl)));
  const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...env(sites) } });
  trackerUrl = service.baseUrl;
  return { redis, service, browser: await launchChromium(), sites };
}

async function stopTracking(tracking: Tracking | undefined): Promise<void> {
  await tracking?.browser.close();
  await tracking?.service.stop();
  await tracking?.redis.cleanup();
  for (const site of tracking?.sites ?? []) site.server.close();
}

describe('embedding the counter on other sites (Chromium, /pt.js, ALLOWED_ORIGINS)', function () {
  let tracking: Tracking | undefined;
  let service: RunningService;
  let browser: Browser;
  let allowed: Site;
  let refused: Site;

  before(async () => {
    tracking = await startTracking(2, ([site]) => ({ ALLOWED_ORIGINS: [`http://127.0.0.1:${site!.port}`, `http://localhost:${site!.port}`].join(',') }));
    ({ service, browser } = tracking);
    [allowed, refused] = tracking.sites as [Site, Site];
  });
  after(async () => {
    await stopTracking(tracking);
  });

  async function viewsOf(page: string): Promise<{ views: number; visitors: number }> {
    return (await (await fetch(`${service.baseUrl}/api/views/${page}`)).json()) as { views: number; visitors: number };
  }

  /** Opens the page and resolves what the marked elements show once the script has written them. */
  async function shown(page: Page, url: string): Promise<{ views: string; visitors: string }> {
    await page.goto(url);
    await page.waitForFunction("document.getElementById('views').textContent !== '?'", undefined, { timeout: 5000 });
    return { views: (await page.textContent('#views')) ?? '', visitors: (await page.textContent('#visitors')) ?? '' };
  }

  it('an allowed origin (another port on 127.0.0.1) counts its page under its path, once per load, and shows the figures', async () => {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    const url = `http://127.0.0.1:${allowed.port}/blog/2026/hello-world/`;
    expect(await shown(page, url)).to.deep.equal({ views: '1', visitors: '1' });
    expect(await shown(page, url)).to.deep.equal({ views: '2', visitors: '1' });
    // Another port is another origin but the same site: the visitor cookie (SameSite=Lax) is kept.
    expect(await viewsOf('blog/2026/hello-world')).to.deep.equal({ page: 'blog/2026/hello-world', views: 2, visitors: 1 });
    await context.close();
  });

  it('another site over plain HTTP (localhost) counts too, but without a cookie: each view is a new visitor', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const url = `http://localhost:${allowed.port}/docs/intro`;
    expect((await shown(page, url)).views).to.equal('1');
    expect((await shown(page, url)).views).to.equal('2');
    expect(await viewsOf('docs/intro')).to.deep.include({ views: 2, visitors: 2 });
    expect(await context.cookies(service.baseUrl), 'no cookie of the tracker in a cross-site context').to.deep.equal([]);
    await context.close();
  });

  it('an origin not in ALLOWED_ORIGINS counts nothing: the preflight is refused with 403', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const failed = page.waitForEvent('requestfailed', { predicate: (request) => request.url().includes('/api/views/'), timeout: 5000 });
    const blocked = page.waitForEvent('console', { predicate: (message) => /CORS policy/.test(message.text()), timeout: 5000 });
    await page.goto(`http://127.0.0.1:${refused.port}/not/counted`);
    expect((await failed).method()).to.equal('POST');
    // Chromium names why: "Response to preflight request doesn't pass access control check ... HTTP status".
    expect((await blocked).text()).to.match(/preflight/i);
    expect(await page.textContent('#views'), 'nothing shown').to.equal('?');
    expect(await viewsOf('not/counted')).to.deep.include({ views: 0 });
    const total = (await (await fetch(`${service.baseUrl}/api/views`)).json()) as { pages: Array<{ page: string }> };
    expect(total.pages.map((entry) => entry.page)).to.not.include('not/counted');
    await context.close();
  });

  it('a badge with ?count=true renders as an image on another site\'s page and counts its view', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${refused.port}/any`);
    await page.setContent(`<img id="badge" alt="views" src="${service.baseUrl}/badge/readme.svg?count=true">`);
    await page.waitForFunction("document.getElementById('badge').complete", undefined, { timeout: 5000 });
    expect(await page.evaluate("document.getElementById('badge').naturalWidth")).to.be.greaterThan(40);
    expect(await viewsOf('readme')).to.deep.include({ views: 1 });
    await context.close();
  });

  it('serves /pt.js as JavaScript, cacheable for a short time', async () => {
    const response = await fetch(`${service.baseUrl}/pt.js`);
    expect(response.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).to.match(/^public, max-age=\d+$/);
  });
});

describe('the embed script where visitors are not counted (VISITOR_MODE=off, Chromium)', function () {
  let tracking: Tracking | undefined;
  let service: RunningService;
  let browser: Browser;
  let site: Site;

  before(async () => {
    tracking = await startTracking(1, ([only]) => ({ VISITOR_MODE: 'off', ALLOWED_ORIGINS: `http://127.0.0.1:${only!.port}` }));
    ({ service, browser } = tracking);
    [site] = tracking.sites as [Site];
  });
  after(async () => {
    await stopTracking(tracking);
  });

  it('writes the views and leaves the visitors element empty (the API says null), with no cookie of the tracker', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${site.port}/docs/intro`);
    await page.waitForFunction("document.getElementById('views').textContent !== '?'", undefined, { timeout: 5000 });
    expect(await page.textContent('#views')).to.equal('1');
    expect(await page.textContent('#visitors')).to.equal('');
    expect(await context.cookies(service.baseUrl)).to.deep.equal([]);
    await context.close();
  });
});
