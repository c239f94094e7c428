// `npm run bench:scale`: how the cost of a view moves with the number of pages, what two service processes
// (the chart's two replicas) get from one Redis, and how much Redis memory pages take with their visitor
// HyperLogLogs, then the per-day counts' memory and range-read costs (scripts/bench/days.ts). Prints figures; asserts nothing. Options: --duration SECONDS (default 10), --connections N
// (default 64, split evenly between the two processes in the two-process run, so that the offered
// concurrency is the same). Every request is a new visitor (no cookie), the worst case for Redis.
import { Redis } from 'ioredis';
import { parseArgs } from 'node:util';
import { startRedis } from '../test/support/redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService, type RunningService } from '../test/support/service.js';
import { redisKeys } from '../src/store/redis-keys.js';
import { benchDays } from './bench/days.js';
import { cpuSeconds, figuresOf, load, measure, peakRssMiB, treeCpuSeconds, type LoadOptions } from './bench/measure.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '64' } } });
const seconds = Number(values.duration);
const connections = Number(values.connections);
if (!(seconds > 0) || !Number.isInteger(connections) || connections < 2) {
  throw new Error(`--duration must be a positive number of seconds and --connections an integer of at least 2 (got ${values.duration}, ${values.connections})`);
}

const PAGE_COUNTS = [1, 100, 10_000] as const;
// The case whose keys are weighed: the service's default MAX_PAGES, so that none is refused.
const MEMORY_PAGES = 10_000;
// The two-process run spreads its views like the middle case, so that its figures compare with that row.
const TWO_PROCESS_PAGES = 100;
// The service's default REDIS_KEY_PREFIX, which the bench does not change.
const KEYS = redisKeys('page-tracker:');
const PAGE_PREFIX = '/api/views/scale-';
// Enough distinct ids to turn a HyperLogLog dense (Redis goes dense past hll-sparse-max-bytes, 3,000 bytes
// by default, reached at a few thousand visitors): the most one page's visitor set can cost.
const DENSE_VISITORS = 20_000;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function usedMemory(info: string): number {
  const bytes = /^used_memory:(\d+)/m.exec(info)?.[1];
  if (bytes === undefined) throw new Error('INFO memory has no used_memory line');
  return Number(bytes);
}

async function memoryUsage(client: Redis, key: string): Promise<number> {
  return Number((await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

const redis = await startRedis();
const client = new Redis(redis.url);
const services: RunningService[] = [];
try {
  const env = { REDIS_URL: redis.url, LOG_LEVEL: 'info', NODE_ENV: 'production', ...ONE_CLIENT_LOAD_ENV };
  services.push(await startService({ env, stdout: 'ignore' }), await startService({ env, stdout: 'ignore' }));
  const [first, second] = services as [RunningService, RunningService];
  const options = (service: RunningService, pages: number, each = connections): LoadOptions => ({
    url: service.baseUrl,
    method: 'POST',
    seconds,
    connections: each,
    pages,
    pagePrefix: PAGE_PREFIX,
  });
  console.log(`POST ${PAGE_PREFIX}N, new visitors, autocannon in its own process, ${seconds} s per run after a 2 s warm-up; redis-server pid ${redis.pid}\n`);

  console.log('one service process, views spread evenly over N pages (Redis emptied before each):');
  console.log('   pages |    req/s | p99 ms | service CPU µs/view | Redis CPU µs/view | errors/non-2xx');
  let memory: { bytesBefore: number; bytesAfter: number; views: number; rankingBytes: number; visitorBytes: number } | undefined;
  for (const pages of PAGE_COUNTS) {
    await client.flushall();
    const bytesBefore = usedMemory(await client.info('memory'));
    const figures = await measure(first.pid, redis.pid, options(first, pages));
    console.log(
      `${String(pages).padStart(8)} | ${fixed(figures.rps).padStart(8)} | ${String(figures.p99).padStart(6)} | ${fixed(figures.cpuMicrosPerRequest).padStart(19)} | ` +
        `${fixed(figures.redisMicrosPerView, 1).padStart(17)} | ${figures.errors}/${figures.non2xx}`,
    );
    if (pages === MEMORY_PAGES) {
      let visitorBytes = 0;
      for await (const keys of client.scanStream({ match: KEYS.visitors('*'), count: 1000 }) as AsyncIterable<string[]>) {
        for (const key of keys) visitorBytes += await memoryUsage(client, key);
      }
      memory = {
        bytesBefore,
        bytesAfter: usedMemory(await client.info('memory')),
        views: Number(await client.get(KEYS.total)),
        rankingBytes: await memoryUsage(client, KEYS.ranking),
        visitorBytes,
      };
    }
  }

  // Both processes loaded at once: a warm-up together, then the measured run together.
  await client.flushall();
  const loads = [options(first, TWO_PROCESS_PAGES, connections / 2), options(second, TWO_PROCESS_PAGES, connections / 2)];
  await Promise.all(loads.map((each) => load({ ...each, seconds: 2 })));
  const serviceCpuBefore = services.map((service) => treeCpuSeconds(service.pid));
  const redisCpuBefore = cpuSeconds(redis.pid);
  const together = await Promise.all(loads.map((each) => load(each)));
  const redisCpu = cpuSeconds(redis.pid) - redisCpuBefore;
  const perProcess = together.map(({ result, generatorCpuSeconds }, i) =>
    figuresOf(result, treeCpuSeconds(services[i]?.pid ?? -1) - (serviceCpuBefore[i] ?? 0), generatorCpuSeconds, 0, peakRssMiB(services[i]?.pid ?? -1)),
  );
  const views = perProcess.reduce((sum, figures) => sum + figures.views, 0);
  const serviceMicros = perProcess.reduce((sum, figures) => sum + figures.cpuMicrosPerRequest * figures.views, 0) / views;
  console.log(`\ntwo service processes against the one Redis, ${connections / 2} connections each, views over ${TWO_PROCESS_PAGES} pages:`);
  console.log(
    `  total ${fixed(perProcess.reduce((sum, figures) => sum + figures.rps, 0))} views/s (${perProcess.map((figures) => fixed(figures.rps)).join(' + ')}), ` +
      `p99 ${perProcess.map((figures) => figures.p99).join(' / ')} ms, service CPU ${fixed(serviceMicros)} µs/view, Redis CPU ${fixed((redisCpu * 1e6) / views, 1)} µs/view, ` +
      `errors/non-2xx ${perProcess.map((figures) => `${figures.errors}/${figures.non2xx}`).join(' + ')}`,
  );

  if (memory === undefined) throw new Error(`no memory figure: the page counts ${PAGE_COUNTS.join(', ')} must include ${MEMORY_PAGES}`);
  const perPage = (memory.bytesAfter - memory.bytesBefore) / MEMORY_PAGES;
  const rankingPerPage = memory.rankingBytes / MEMORY_PAGES;
  await client.flushall();
  const dense = KEYS.visitors('dense-probe');
  for (let sent = 0; sent < DENSE_VISITORS; sent += 1000) {
    await client.pfadd(dense, ...Array.from({ length: 1000 }, (_, i) => `visitor-${sent + i}`));
  }
  const denseBytes = await memoryUsage(client, dense);
  const densePerPage = denseBytes + rankingPerPage;
  const count = MEMORY_PAGES.toLocaleString('en');
  console.log(`\nRedis memory for ${count} pages after their run (${fixed(memory.views / MEMORY_PAGES)} visitors per page on average: sparse HyperLogLogs):`);
  console.log(
    `  used_memory ${fixed(memory.bytesBefore / MiB, 2)} -> ${fixed(memory.bytesAfter / MiB, 2)} MiB: ${fixed(perPage)} bytes per page, ` +
      `${fixed((perPage * MEMORY_PAGES) / MiB, 1)} MiB per ${count} pages, ${fixed(GiB / perPage / 1e6, 2)} million pages per GiB`,
  );
  console.log(
    `  MEMORY USAGE: ranking ${fixed(rankingPerPage)} bytes per page, visitor HyperLogLogs ${fixed(memory.visitorBytes / MEMORY_PAGES)} bytes per page`,
  );
  console.log(
    `  a page with many visitors (a dense HyperLogLog: ${DENSE_VISITORS.toLocaleString('en')} visitors): ${denseBytes} bytes by MEMORY USAGE, ` +
      `${fixed(densePerPage)} bytes with its ranking entry: ${fixed((densePerPage * MEMORY_PAGES) / MiB, 1)} MiB per ${count} pages, ` +
      `${fixed(GiB / densePerPage / 1e3)} thousand pages per GiB`,
  );
  // Services stopped first: the per-day figures are Redis's alone.
  for (const service of services.splice(0)) await service.stop();
  await benchDays(redis.url);
} finally {
  client.disconnect();
  for (const service of services) await service.stop();
  await redis.cleanup();
}
