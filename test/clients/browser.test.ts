// A real browser (Debian's Chromium, driven by playwright-core) against the built service on a real Redis.
import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

const SCREENSHOT = 'test-results/browser-home-page.png';

describe('a real browser (Chromium)', function () {
  let redis: RedisServer;
  let service: RunningService;
  let browser: Browser;
  before(async () => {
    redis = await startRedis();
    service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
    await waitFor('readiness', async () => ((await fetch(`${service.baseUrl}/readyz`)).ok ? true : undefined), 10_000);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await redis?.cleanup();
  });

  async function viewsOnHomePage(context: BrowserContext, reload: boolean): Promise<number> {
    const page = context.pages()[0] ?? (await context.newPage());
    const response = reload ? await page.reload() : await page.goto(`${service.baseUrl}/`);
    expect(response?.status()).to.equal(200);
    const heading = await page.locator('h1').textContent();
    const views = /This page has been seen (\d+) times?\./.exec(heading ?? '')?.[1];
    expect(views, `heading "${heading}"`).to.not.equal(undefined);
    return Number(views);
  }

  /** The home page's visitor figure as this browser sees it: it opens the JSON API itself, cookie and all. */
  async function visitorsOfHomePage(context: BrowserContext): Promise<number> {
    const page = await context.newPage();
    try {
      await page.goto(`${service.baseUrl}/api/views//`);
      return (JSON.parse((await page.locator('body').textContent()) ?? '') as { visitors: number }).visitors;
    } finally {
      await page.close();
    }
  }

  it('counts each load and reload once, one visitor per browser context, and renders the page', async () => {
    const first = await browser.newContext();
    const opened = await viewsOnHomePage(first, false);
    expect(await viewsOnHomePage(first, true), 'after one reload').to.equal(opened + 1);
    expect(await viewsOnHomePage(first, true), 'after a second reload').to.equal(opened + 2);
    const cookie = (await first.cookies()).find((c) => c.name === 'pt_visitor');
    expect(cookie, 'visitor cookie').to.include({ httpOnly: true, sameSite: 'Lax', secure: false });
    expect(await visitorsOfHomePage(first), 'visitors after three views from one browser').to.equal(1);

    await mkdir('test-results', { recursive: true });
    await first.pages()[0]?.screenshot({ path: SCREENSHOT });
    console.log(`      screenshot: ${SCREENSHOT}`);

    const second = await browser.newContext();
    expect(await viewsOnHomePage(second, false), 'a fresh context sees the count go on').to.equal(opened + 3);
    expect(await visitorsOfHomePage(second), 'visitors once a fresh context has viewed the page').to.equal(2);
    await first.close();
    await second.close();
  });
});
