// 60 s of steady load after a 10 s warm-up: resident memory levels off. A leak grows with the requests served
// (at ~2,000 req/s even 1 KiB each is ~60 MiB over 30 s), so the end of the soak is compared with its middle,
// not with the warm-up: V8 keeps growing its heap spaces for a while after 10 s, the longer the busier the
// machine, and that one-off growth is not a leak. Such a step was seen at +5.4 % within the second half; 15 %
// still catches a leak of about 0.3 KiB per request.
import { expect } from 'chai';
import { rssMiB, startLoad } from '../support/load.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService, type RunningService } from '../support/service.js';
import { figure, sleep } from './figures.js';
import { untilReady } from '../support/service-checks.js';

const WARM_UP_MS = 10_000;
const SOAK_MS = 60_000;
// RSS swings by a fifth with the garbage collector's cycles under this load, so each level is the median
// of the samples taken over its last 5 s, not one reading that may land on a peak or a trough.
const SAMPLE_EVERY_MS = 500;
const LEVEL_WINDOW_MS = 5000;
const ALLOWED_GROWTH = 0.15;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Samples the RSS of `pid` every SAMPLE_EVERY_MS for `durationMs`. */
async function sampleRss(pid: number, durationMs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let elapsed = 0; elapsed < durationMs; elapsed += SAMPLE_EVERY_MS) {
    await sleep(SAMPLE_EVERY_MS);
    samples.push(await rssMiB(pid));
  }
  return samples;
}

async function heapUsedMiB(service: RunningService): Promise<number> {
  const text = await (await fetch(`${service.metricsUrl}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
}

describe('memory under a 60 s soak', function () {
  this.timeout(WARM_UP_MS + SOAK_MS + 30_000);
  let redis: RedisServer;
  let service: RunningService;
  before(async () => {
    redis = await startRedis();
    // Log lines still get written (to /dev/null): the soak covers the logger too.
    service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'info', ...ONE_CLIENT_LOAD_ENV }, stdout: 'ignore' });
    await untilReady(service);
  });
  after(async () => {
    await service.stop('SIGKILL');
    await redis.cleanup();
  });

  it('levels off: resident memory at the end of the soak within 15% of its level halfway through', async () => {
    // Fresh visitors (no cookie) on 200 pages: every request makes a UUID, a log line and a histogram sample.
    const load = startLoad({ baseUrl: service.baseUrl, concurrency: 8, path: (n) => `/api/views/soak-${n % 200}` });
    const warmUp = await sampleRss(service.pid, WARM_UP_MS);
    const warmHeap = await heapUsedMiB(service);
    const warmRequests = [...load.counts().values()].reduce((sum, n) => sum + n, 0);
    const soak = await sampleRss(service.pid, SOAK_MS);
    const afterHeap = await heapUsedMiB(service);
    const { counts, total, maxMs } = await load.stop();

    const lastOf = (samples: number[]): number[] => samples.slice(-LEVEL_WINDOW_MS / SAMPLE_EVERY_MS);
    const warm = median(lastOf(warmUp));
    const middle = median(lastOf(soak.slice(0, soak.length / 2)));
    const after = median(lastOf(soak));
    const everyTen = soak.filter((_, i) => (i + 1) % (10_000 / SAMPLE_EVERY_MS) === 0);
    const soakRequests = total - warmRequests;
    figure('soak load', `${soakRequests} requests in ${SOAK_MS / 1000} s after a ${WARM_UP_MS / 1000} s warm-up (${Math.round(soakRequests / (SOAK_MS / 1000))} req/s, 8 connections); all ${total} by status ${JSON.stringify(Object.fromEntries(counts))}, slowest ${maxMs} ms`);
    figure('soak RSS (median of the last 5 s)', `after warm-up ${warm.toFixed(1)} MiB, after the soak ${after.toFixed(1)} MiB (${(((after - warm) / warm) * 100).toFixed(1)}%), at its middle ${middle.toFixed(1)} MiB (end vs middle ${(((after - middle) / middle) * 100).toFixed(1)}%); range during the soak ${Math.min(...soak).toFixed(1)}-${Math.max(...soak).toFixed(1)} MiB; every 10 s: ${everyTen.map((v) => v.toFixed(1)).join(', ')}`);
    figure('soak V8 heap used', `${warmHeap.toFixed(1)} MiB after warm-up, ${afterHeap.toFixed(1)} MiB after the soak`);

    expect([...counts.keys()], 'statuses').to.deep.equal([200]);
    expect(after, `RSS at the end of the soak vs ${middle.toFixed(1)} MiB halfway through`).to.be.at.most(middle * (1 + ALLOWED_GROWTH));
  });
});
