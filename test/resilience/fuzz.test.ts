// Several thousand hostile requests (seeded): only sane answers, the process stays up, Redis holds only valid pages.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { rawExchange, type RawAnswer } from '../support/raw-http.js';
import { figure } from './figures.js';
import { fuzzRequests } from './fuzz-requests.js';
import { crashSigns, useServiceOnRedis } from '../support/service-checks.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const COUNT = 4000;
const CONCURRENCY = 16;
const PREFIX = 'page-tracker:';
// The page name rule of docs/api.md, restated here so the test does not trust the code it checks.
const isAllowedPage = (page: string): boolean =>
  page === '/' ||
  (/^[A-Za-z0-9/_.-]{1,200}$/.test(page) && !page.includes('..') && page.split('/').every((segment) => segment !== '' && segment !== '.'));
const sane = (status: number): boolean => (status >= 200 && status < 500) || status === 503;

async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', '1000');
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

describe(`fuzz: ${COUNT} hostile requests (FUZZ_SEED=${SEED})`, function () {
  const stack = useServiceOnRedis();

  it('answers only 2xx/3xx/4xx/503, stays up, and writes no page outside the allowed names', async () => {
    const { redis, service } = stack;
    const requests = fuzzRequests(SEED, COUNT);
    const port = Number(new URL(service.baseUrl).port);
    const answers: Array<RawAnswer & { summary: string }> = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          answers.push({ ...(await rawExchange(port, request.bytes)), summary: request.summary });
        }
      }),
    );
    const byStatus = new Map<string, number>();
    for (const answer of answers) byStatus.set(String(answer.status ?? answer.error), (byStatus.get(String(answer.status ?? answer.error)) ?? 0) + 1);
    figure('fuzz', `${answers.length} requests (seed ${SEED}) in ${((Date.now() - started) / 1000).toFixed(1)} s, by status ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}`);

    const bad = answers.filter((a) => a.status === undefined || !sane(a.status)).slice(0, 10);
    expect(bad, 'requests answered otherwise (first 10)').to.deep.equal([]);
    expect((await fetch(`${service.baseUrl}/healthz`)).status).to.equal(200);
    expect(crashSigns(service)).to.deep.equal([]);

    const client = new Redis(redis.url, { lazyConnect: true });
    try {
      await client.connect();
      const keys = await allKeys(client);
      const ranked = await client.zrange(`${PREFIX}ranking`, '0', '-1');
      const visitorPages = keys.filter((k) => k.startsWith(`${PREFIX}visitors:`)).map((k) => k.slice(`${PREFIX}visitors:`.length));
      figure('fuzz writes', `${ranked.length} pages in Redis: ${JSON.stringify(ranked)}; ${keys.length} keys`);
      // The abuse budget's counters of the one client the fuzzer is (docs/configuration.md: REDIS_KEY_PREFIX, the keys), whatever it sent as headers.
      const budgetKey = new RegExp(`^${PREFIX}budget:(?:views|new-pages):127\\.0\\.0\\.1:\\d+$`);
      // The per-day counts of today (and of yesterday, had the run crossed midnight UTC).
      const dayKey = new RegExp(`^${PREFIX}day:\\d{4}-\\d{2}-\\d{2}:(?:ranking|total|visitors:(.*))$`, 's');
      const dayPages = keys.flatMap((k) => dayKey.exec(k)?.[1] ?? []);
      // A range ranking's cached union of completed days, and the generation stamp it is checked against.
      const rangeCacheKey = new RegExp(`^${PREFIX}range-cache:\\d{4}-\\d{2}-\\d{2}:\\d{4}-\\d{2}-\\d{2}$`);
      const expected = (k: string): boolean =>
        [`${PREFIX}ranking`, `${PREFIX}total`, `${PREFIX}first-seen`, `${PREFIX}range-generation`].includes(k) ||
        k.startsWith(`${PREFIX}visitors:`) || budgetKey.test(k) || dayKey.test(k) || rangeCacheKey.test(k);
      expect(keys.filter((k) => !expected(k)), 'unexpected keys').to.deep.equal([]);
      expect(dayPages.filter((page) => !isAllowedPage(page)), "a day's visitor sets of pages outside the allowed names").to.deep.equal([]);
      expect((await client.zrange(`${PREFIX}first-seen`, '0', '-1')).filter((page) => !isAllowedPage(page)), 'first-seen days of pages outside the allowed names').to.deep.equal([]);
      for (const k of keys.filter((key) => key.endsWith(':ranking') && key.startsWith(`${PREFIX}day:`))) {
        expect((await client.zrange(k, '0', '-1')).filter((page) => !isAllowedPage(page)), `pages outside the allowed names in ${k}`).to.deep.equal([]);
      }
      expect(ranked.filter((page) => !isAllowedPage(page)), 'ranked pages outside the allowed names').to.deep.equal([]);
      expect(visitorPages.filter((page) => !isAllowedPage(page)), 'visitor sets of pages outside the allowed names').to.deep.equal([]);
      expect(ranked.length, 'the valid pages the fuzzer sent do get counted').to.be.above(0);
    } finally {
      client.disconnect();
    }
  });
});
