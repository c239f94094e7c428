// axe-core in the real Chromium: the home page and the HTML error pages (400, 404, 404 page_not_tracked, 409,
// 429, 503), each at desktop and phone width, as served (its Content-Security-Policy in force), with
// screenshots for a person to look at.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_ACCEPT } from '../support/browser-accept.js';
import { launchChromium } from '../support/chromium.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The impacts that fail the suite; "minor" and "moderate" findings are printed, not failed. */
const FAILING_IMPACTS = ['serious', 'critical'];
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const RESULTS = 'test-results';
const ONE_HOUR_MS = 60 * 60 * 1000;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

interface AxeResult {
  violations: AxeViolation[];
  passes: unknown[];
}

async function untilReady(service: RunningService): Promise<void> {
  await waitFor('readiness', async () => ((await fetch(`${service.baseUrl}/readyz`)).ok ? true : undefined), 10_000);
}

describe('accessibility (axe-core in Chromium) and screenshots', function () {
  let browser: Browser;
  let redis: RedisServer;
  let service: RunningService;
  // A second service whose MAX_PAGES is already full, and whose Redis is killed later: the 409 and 503 pages.
  let fullRedis: RedisServer;
  let full: RunningService;
  // A third with PAGE_PATTERN and a quota of one new page per hour: the 404 page_not_tracked and 429 pages.
  let limitedRedis: RedisServer;
  let limited: RunningService;
  const summary: Record<string, { violations: Array<{ id: string; impact: string | null; nodes: number }>; passes: number }> = {};

  before(async () => {
    [redis, fullRedis, limitedRedis] = await Promise.all([startRedis(), startRedis(), startRedis()]);
    [service, full, limited] = await Promise.all([
      startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } }),
      startService({ env: { REDIS_URL: fullRedis.url, LOG_LEVEL: 'warn', MAX_PAGES: '1' } }),
      startService({ env: { REDIS_URL: limitedRedis.url, LOG_LEVEL: 'warn', PAGE_PATTERN: 'blog/[a-z-]+', NEW_PAGES_PER_CLIENT_PER_HOUR: '1' } }),
    ]);
    await Promise.all([untilReady(service), untilReady(full), untilReady(limited)]);
    for (const page of ['docs/intro', 'blog/2026/a-rather-long-page-name-that-has-to-wrap-on-a-phone', 'about']) {
      await fetch(`${service.baseUrl}/api/views/${page}`, { method: 'POST' });
    }
    expect((await fetch(`${full.baseUrl}/api/views/the-only-page`, { method: 'POST' })).status).to.equal(200);
    browser = await launchChromium();
    await mkdir(RESULTS, { recursive: true });
  });
  after(async () => {
    await writeFile(`${RESULTS}/axe-results.json`, `${JSON.stringify(summary, null, 2)}\n`);
    await browser?.close();
    await Promise.all([service?.stop(), full?.stop(), limited?.stop()]);
    await Promise.all([redis?.cleanup(), fullRedis?.cleanup(), limitedRedis?.cleanup()]);
  });

  /** Opens the address as a person would, checks it with axe-core, and screenshots it at both widths. */
  async function check(name: string, url: string, status: number, headers: Record<string, string> = {}): Promise<void> {
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ viewport, extraHTTPHeaders: headers });
      const page: Page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (message) => {
        // The document's own error status is logged as a failed load too: that one is the point of the page.
        const ownStatus = message.location().url === url && message.text().includes(`status of ${status}`);
        if (message.type() === 'error' && !ownStatus) refused.push(message.text());
      });
      try {
        const response = await page.goto(url);
        expect(response?.status(), `${name} status`).to.equal(status);
        expect(response?.headers()['content-type'], `${name} content type`).to.match(/^text\/html/);
        // CDP's evaluate runs outside the page's CSP: axe is injected without loosening what the page gets.
        const result = await page.evaluate<AxeResult>(`${AXE_SOURCE}\n;axe.run(document, { resultTypes: ['violations'] })`);
        summary[`${name} (${width})`] = {
          violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
          passes: result.passes.length,
        };
        const failing = result.violations.filter((v) => FAILING_IMPACTS.includes(v.impact ?? ''));
        expect(failing.map((v) => `${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`), `${name} at ${width} width`).to.deep.equal([]);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow, `${name} scrolls sideways at ${width} width`).to.equal(0);
        expect(refused, `${name}: console errors (a CSP refusal, a missing icon)`).to.deep.equal([]);
        const path = `${RESULTS}/${name.replace(/\W+/g, '-')}-${width}.png`;
        await page.screenshot({ path, fullPage: true });
        console.log(`      ${width} ${viewport.width}x${viewport.height}: ${path}; axe: ${result.violations.length} violations of any impact, ${result.passes.length} rules passed`);
      } finally {
        await context.close();
      }
    }
  }

  it('the home page', async () => {
    await check('home', `${service.baseUrl}/`, 200);
  });

  it('the 404 page', async () => {
    await check('error 404', `${service.baseUrl}/no/such/page`, 404);
  });

  it('the 400 page (a bad Idempotency-Key)', async () => {
    await check('error 400', `${service.baseUrl}/`, 400, { 'Idempotency-Key': 'not a key' });
  });

  it('the 409 page (MAX_PAGES is full)', async () => {
    await check('error 409', `${full.baseUrl}/`, 409);
  });

  it('the 404 page_not_tracked page (a new page outside PAGE_PATTERN)', async () => {
    await check('error 404 page_not_tracked', `${limited.baseUrl}/badge/junk.svg?count=true`, 404);
  });

  it('the 429 page (the new-page quota is spent), with Retry-After', async () => {
    // The quota is per hour: the refusals below must fall in the hour whose quota this view spends.
    const left = ONE_HOUR_MS - (Date.now() % ONE_HOUR_MS);
    if (left < 60_000) await sleep(left + 50);
    expect((await fetch(`${limited.baseUrl}/api/views/blog/first-post`, { method: 'POST' })).status).to.equal(200);
    // The home page is new in this Redis, so viewing it would create a page: over the quota.
    const answer = await fetch(`${limited.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(answer.status).to.equal(429);
    expect(Number(answer.headers.get('retry-after'))).to.be.within(1, 3600);
    await check('error 429', `${limited.baseUrl}/`, 429);
  });

  it('the 503 page (Redis is down), with Retry-After', async () => {
    await fullRedis.kill();
    const answer = await fetch(`${full.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(answer.status).to.equal(503);
    expect(answer.headers.get('retry-after')).to.equal('1');
    await check('error 503', `${full.baseUrl}/`, 503);
  });
});
