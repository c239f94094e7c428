// 60 s of steady load: resident memory after it stays within 20% of its level after warm-up.
import { expect } from 'chai';
import { rssMiB, startLoad } from '../support/load.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';
import { figure, sleep } from './figures.js';
import { untilReady } from '../support/service-checks.js';

const WARM_UP_MS = 10_000;
const SOAK_MS = 60_000;
const SAMPLE_EVERY_MS = 10_000;
const ALLOWED_GROWTH = 0.2;

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
    service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'info' }, stdout: 'ignore' });
    await untilReady(service);
  });
  after(async () => {
    await service.stop('SIGKILL');
    await redis.cleanup();
  });

  it('keeps resident memory after the soak within 20% of its level after warm-up', async () => {
    // Fresh visitors (no cookie) on 200 pages: every request makes a UUID, a log line and a histogram sample.
    const load = startLoad({ baseUrl: service.baseUrl, concurrency: 8, path: (n) => `/api/views/soak-${n % 200}` });
    await sleep(WARM_UP_MS);
    const warm = await rssMiB(service.pid);
    const warmHeap = await heapUsedMiB(service);
    const warmRequests = [...load.counts().values()].reduce((sum, n) => sum + n, 0);
    const samples = [warm];
    for (let elapsed = 0; elapsed < SOAK_MS; elapsed += SAMPLE_EVERY_MS) {
      await sleep(SAMPLE_EVERY_MS);
      samples.push(await rssMiB(service.pid));
    }
    const after = await rssMiB(service.pid);
    const afterHeap = await heapUsedMiB(service);
    const { counts, total, maxMs } = await load.stop();

    const soakRequests = total - warmRequests;
    figure('soak load', `${soakRequests} requests in ${SOAK_MS / 1000} s (${Math.round(soakRequests / (SOAK_MS / 1000))} req/s, 8 connections), by status ${JSON.stringify(Object.fromEntries(counts))}, slowest ${maxMs} ms`);
    figure('soak RSS', `after warm-up ${warm.toFixed(1)} MiB, after the soak ${after.toFixed(1)} MiB (${(((after - warm) / warm) * 100).toFixed(1)}%); every 10 s: ${samples.map((s) => s.toFixed(1)).join(', ')} MiB`);
    figure('soak V8 heap used', `${warmHeap.toFixed(1)} MiB after warm-up, ${afterHeap.toFixed(1)} MiB after the soak`);

    expect([...counts.keys()], 'statuses').to.deep.equal([200]);
    expect(after, `RSS after the soak vs ${warm.toFixed(1)} MiB after warm-up`).to.be.at.most(warm * (1 + ALLOWED_GROWTH));
  });
});
