// The per-day counts' costs, printed (asserts nothing): Redis memory per page per day, what the day keys add to
// each view's write, and the read cost of the range routes over 30 days of 10,000 pages, with ZUNIONSTORE (what
// TOP_PAGES_RANGE does) against ZUNION (every page of the range sent back, the top picked by the reader).
// `npm run bench:scale` runs it after its own runs; `npm run bench:days` runs it alone.
import { Redis } from 'ioredis';
import { addDays, daysFrom } from '../../src/days.js';
import { createMetrics } from '../../src/metrics.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { RedisStore } from '../../src/store/redis.js';
import { memoryLogger } from '../../test/support/silent-logger.js';

export const DAYS_PAGES = 10_000;
export const DAYS = 30;
const READS = 50;
const KEY_PREFIX = 'bench-days:';
const FIRST_DAY = '2026-01-01';

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

function usedMemory(info: string): number {
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** Calls and microseconds of one command since the last CONFIG RESETSTAT. */
async function commandStats(client: Redis, command: string): Promise<{ calls: number; usec: number }> {
  const line = new RegExp(`^cmdstat_${command}:calls=(\\d+),usec=(\\d+)`, 'm').exec(await client.info('commandstats'));
  return { calls: Number(line?.[1] ?? 0), usec: Number(line?.[2] ?? 0) };
}

async function memoryUsage(client: Redis, key: string): Promise<number> {
  return Number((await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/** Median and 95th percentile of the timings, in ms. */
function spread(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `median ${fixed(at(0.5), 2)} ms, p95 ${fixed(at(0.95), 2)} ms`;
}

async function timed(run: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < READS; i += 1) {
    const started = process.hrtime.bigint();
    await run();
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return ms;
}

/** Fills DAYS days of DAYS_PAGES pages through the service's own store (RECORD_VIEWS), then measures. Flushes the Redis first. */
export async function benchDays(redisUrl: string): Promise<void> {
  const client = new Redis(redisUrl);
  let now = Date.parse(`${FIRST_DAY}T12:00:00Z`);
  const storeOptions = {
    url: redisUrl,
    password: undefined,
    keyPrefix: KEY_PREFIX,
    commandTimeoutMs: 10_000,
    maxPages: DAYS_PAGES,
    now: () => now,
    metrics: createMetrics({ version: 'bench' }),
    logger: memoryLogger().logger,
  };
  const store = new RedisStore(storeOptions);
  const keys = redisKeys(KEY_PREFIX);
  try {
    await client.flushall();
    await client.config('RESETSTAT');
    const pages = Array.from({ length: DAYS_PAGES }, (_, i) => `page-${i}`);
    const before = usedMemory(await client.info('memory'));
    let afterFirstDay = before;
    let visitor = 0;
    const days = daysFrom(FIRST_DAY, addDays(FIRST_DAY, DAYS - 1));
    for (const [i, day] of days.entries()) {
      now = Date.parse(`${day}T12:00:00Z`);
      // One view of every page a day, each from a new visitor: the group commit batches them as the service would.
      await Promise.all(pages.map((page) => store.recordView({ page, visitorId: `visitor-${(visitor += 1)}` })));
      if (i === 0) afterFirstDay = usedMemory(await client.info('memory'));
    }
    const after = usedMemory(await client.info('memory'));
    const write = await commandStats(client, 'evalsha');
    const views = DAYS * DAYS_PAGES;
    const lastDay = days[days.length - 1] ?? FIRST_DAY;
    const dayBytes = (after - afterFirstDay) / (DAYS - 1);
    console.log(`\nper-day counts: ${DAYS} days x ${DAYS_PAGES.toLocaleString('en')} pages, one view of each page a day from a new visitor, written by RedisStore:`);
    console.log(
      `  write: ${fixed(write.usec / views, 1)} µs of Redis script time per view (${write.calls} RECORD_VIEWS calls, ${fixed(views / write.calls)} views per call)`,
    );
    console.log(
      `  memory: the first day ${fixed((afterFirstDay - before) / 1024 / 1024, 1)} MiB (the all-time keys too), each further day ${fixed(dayBytes / 1024 / 1024, 2)} MiB: ` +
        `${fixed(dayBytes / DAYS_PAGES)} bytes per page per day by used_memory`,
    );
    // A second view of every page on the last day: the day keys exist, so no PEXPIRE, the common case.
    await client.config('RESETSTAT');
    await Promise.all(pages.map((page) => store.recordView({ page, visitorId: `visitor-${(visitor += 1)}` })));
    const again = await commandStats(client, 'evalsha');
    console.log(`  write, a page's later views of a day (its day keys exist): ${fixed(again.usec / DAYS_PAGES, 1)} µs of Redis script time per view`);
    // The same views without visitor counting (VISITOR_MODE=off: no HyperLogLog passed, written or counted),
    // on pages of their own: a first pass creates them and their day keys, the second is measured.
    const viewsOnly = new RedisStore({ ...storeOptions, keyPrefix: `${KEY_PREFIX}off:`, countVisitors: false });
    try {
      // A new store's connection refuses commands until it is ready (no offline queue).
      while (!(await viewsOnly.ping().then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(pages.map((page) => viewsOnly.recordView({ page, visitorId: '' })));
      await client.config('RESETSTAT');
      await Promise.all(pages.map((page) => viewsOnly.recordView({ page, visitorId: '' })));
      const off = await commandStats(client, 'evalsha');
      console.log(`  write, the same later views with VISITOR_MODE=off (no HyperLogLog): ${fixed(off.usec / DAYS_PAGES, 1)} µs of Redis script time per view`);
    } finally {
      await viewsOnly.close();
    }
    const firstSeenEntry = (await memoryUsage(client, keys.firstSeen)) / DAYS_PAGES;
    console.log(`  MEMORY USAGE: the first-seen ranking ${fixed(firstSeenEntry)} bytes per page, once per page (not per day)`);
    const rankingEntry = (await memoryUsage(client, keys.dayRanking(lastDay))) / DAYS_PAGES;
    const hllOne = await memoryUsage(client, keys.dayVisitors(lastDay, 'page-0'));
    const probe = keys.dayVisitors(lastDay, 'probe');
    const hllSizes: string[] = [];
    let added = 0;
    for (const size of [10, 100, 1000, 20_000]) {
      while (added < size) {
        const batch = Array.from({ length: Math.min(1000, size - added) }, (_, i) => `probe-${added + i}`);
        await client.pfadd(probe, ...batch);
        added += batch.length;
      }
      hllSizes.push(`${size.toLocaleString('en')}: ${await memoryUsage(client, probe)} B`);
    }
    await client.del(probe);
    console.log(
      `  MEMORY USAGE: day ranking ${fixed(rankingEntry)} bytes per page, a page's day visitors HyperLogLog ${hllOne} bytes with one visitor ` +
        `(by visitors that day: ${hllSizes.join(', ')})`,
    );

    // The fill grows the append-only file past the size that starts a rewrite: a forked rewrite would slow the
    // reads below by several times, so they wait for it.
    for (;;) {
      const persistence = await client.info('persistence');
      if (/^aof_rewrite_in_progress:0/m.test(persistence) && /^aof_rewrite_scheduled:0/m.test(persistence)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const range = { from: FIRST_DAY, to: lastDay };
    // Read the day after: the range then ends before today, so no cache is used, every read sums all 30 days.
    now = Date.parse(`${addDays(lastDay, 1)}T12:00:00Z`);
    await client.config('RESETSTAT');
    const topMs = await timed(() => store.topPagesRange(range, 10));
    const top = await commandStats(client, 'evalsha');
    console.log(`  30-day top 10 of past days, no cache (TOP_PAGES_RANGE, ZUNIONSTORE + ZREVRANGE + DEL): ${spread(topMs)} round trip, ${fixed(top.usec / top.calls / 1000, 2)} ms in Redis per read`);
    now = Date.parse(`${lastDay}T12:00:00Z`);
    await client.config('RESETSTAT');
    // Cold: a new range generation before each read (what an import or a reset does), so each rebuilds the cached union.
    const coldMs = await timed(async () => {
      await client.incr(keys.rangeGeneration);
      return store.topPagesRange(range, 10);
    });
    const cold = await commandStats(client, 'evalsha');
    console.log(`  30-day top 10 up to today, cold (the 29 completed days summed into the cache, then cache + today): ${spread(coldMs)} round trip, ${fixed(cold.usec / cold.calls / 1000, 2)} ms in Redis per read`);
    await client.config('RESETSTAT');
    const warmMs = await timed(() => store.topPagesRange(range, 10));
    const warm = await commandStats(client, 'evalsha');
    console.log(`  30-day top 10 up to today, warm (the cached union + today's ranking): ${spread(warmMs)} round trip, ${fixed(warm.usec / warm.calls / 1000, 2)} ms in Redis per read`);
    const rankingKeys = days.map((day) => keys.dayRanking(day));
    await client.config('RESETSTAT');
    const unionMs = await timed(async () => {
      const all = (await client.zunion(rankingKeys.length, ...rankingKeys, 'WITHSCORES'));
      return all.slice(-20);
    });
    const union = await commandStats(client, 'zunion');
    console.log(`  30-day top 10 by ZUNION (all ${DAYS_PAGES.toLocaleString('en')} pages sent back, top picked by the reader): ${spread(unionMs)} round trip, ${fixed(union.usec / union.calls / 1000, 2)} ms in Redis per read`);
    await client.config('RESETSTAT');
    const totalsMs = await timed(() => store.topPagesRange(range, 0));
    const totals = await commandStats(client, 'evalsha');
    console.log(`  30 days' totals only (the home page's chart, limit 0): ${spread(totalsMs)} round trip, ${fixed(totals.usec / totals.calls / 1000, 3)} ms in Redis per read`);
    await client.config('RESETSTAT');
    const pageMs = await timed(() => store.pageRange('page-0', range));
    const page = await commandStats(client, 'evalsha');
    console.log(`  one page over 30 days (PAGE_RANGE: 30 ZSCORE + PFCOUNT of 30 HyperLogLogs): ${spread(pageMs)} round trip, ${fixed(page.usec / page.calls / 1000, 3)} ms in Redis per read`);
  } finally {
    client.disconnect();
    await store.close();
  }
}
