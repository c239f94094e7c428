// A full Redis, as the chart bounds it (maxmemory from the memory limit, noeviction), with the built service:
// a view that would need memory is refused with 503 and writes nothing, nothing counted so far is evicted,
// reads still answer, and counting resumes by itself once the limit is raised.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { startChartRedis, type ChartRedis, type ChartRedisPasswords } from '../support/chart-redis.js';
import { waitFor } from '../support/processes.js';
import { ONE_CLIENT_LOAD_ENV, startService, type RunningService } from '../support/service.js';

const PASSWORDS: ChartRedisPasswords = { app: 'app-password-for-full-test', probe: 'probe-password-for-full-test', exporter: 'exporter-password-for-full-test' };
/** A small container limit, so that a few MB fill Redis: maxmemory is 70 % of it. */
const MEMORY_LIMIT_BYTES = 4 * 2 ** 20;

describe('a full Redis (maxmemory from the memory limit, noeviction) with the built service', function () {
  this.timeout(60_000);
  let redis: ChartRedis;
  let service: RunningService;
  let app: Redis;

  before(async function () {
    redis = await startChartRedis({ redis: { auth: { password: PASSWORDS.app } } }, PASSWORDS, { memoryLimitBytes: MEMORY_LIMIT_BYTES });
    app = new Redis(redis.url, { username: redis.rendered.appUser, password: PASSWORDS.app, maxRetriesPerRequest: 0 });
    service = await startService({
      // A 5 s command timeout: on a busy machine a reply can take longer than the default second, and a
      // timeout would be a 503 of another cause than the one under test.
      env: { REDIS_URL: redis.url, REDIS_USERNAME: redis.rendered.appUser, REDIS_PASSWORD: PASSWORDS.app, REDIS_COMMAND_TIMEOUT_MS: '5000', LOG_LEVEL: 'warn', ...ONE_CLIENT_LOAD_ENV },
    });
    await waitFor('readiness', async () => ((await fetch(`${service.baseUrl}/readyz`)).status === 200 ? true : undefined), 5000);
  });

  after(async function () {
    await service?.stop();
    app?.disconnect();
    await redis?.stop();
  });

  const post = (page: string): Promise<Response> => fetch(`${service.baseUrl}/api/views/${page}`, { method: 'POST' });
  const views = async (page: string): Promise<number> => {
    const answer = await fetch(`${service.baseUrl}/api/views/${page}`);
    const body = await answer.text();
    expect(answer.status, `GET /api/views/${page}: ${body}\nservice log:\n${service.logs().slice(-10).join('\n')}`).to.equal(200);
    return (JSON.parse(body) as { views: number }).views;
  };

  it('refuses views with 503 while full, evicts nothing, still answers reads, and counts again once the limit is raised', async function () {
    for (const page of ['kept', 'kept', 'other']) expect((await post(page)).status).to.equal(200);
    // More data under the prefix (the app user may write there), then Redis restarted with a limit whose 70 %
    // is below what it now holds (an empty Redis takes about 1 MB): the data outgrew the limit, as it does in
    // production. Loading the AOF ignores maxmemory, so Redis starts full.
    await app.set('page-tracker:filler', 'x'.repeat(256 * 2 ** 10));
    await redis.restart({ memoryLimitBytes: 2 ** 20 });
    // Not /readyz: right after the restart it can still answer 200 from before the service saw the old
    // connection close (on a busy machine it then reconnects later, and reads answered 503 meanwhile). A read
    // that succeeds proves the new connection is up, and is the first half of "reads still answer".
    await waitFor('a read after the restart', async () => ((await fetch(`${service.baseUrl}/api/views/kept`)).status === 200 ? true : undefined), 10_000);

    for (const page of ['kept', 'a-new-page']) {
      const refused = await post(page);
      expect(refused.status, page).to.equal(503);
      expect(((await refused.json()) as { error: string }).error).to.equal('store_unavailable');
    }
    expect(await views('kept'), 'nothing evicted, nothing half-written').to.equal(2);
    expect(await views('other')).to.equal(1);
    const top = (await (await fetch(`${service.baseUrl}/api/views`)).json()) as { pages: Array<{ page: string }>; total: number };
    expect(top.total).to.equal(3);
    expect(top.pages.map((p) => p.page)).not.to.include('a-new-page');
    const metrics = await (await fetch(`${service.metricsUrl}/metrics`)).text();
    expect(metrics).to.match(/^page_tracker_redis_errors_total\{command="record_views"\} [1-9]/m);
    // Log lines are buffered (flushed every half second, later on a busy machine).
    await waitFor('the cause (Redis\'s OOM error) in the log for operators', () => Promise.resolve(service.logs().some((line) => line.includes('OOM')) ? true : undefined), 5000);

    await redis.restart({ memoryLimitBytes: MEMORY_LIMIT_BYTES });
    await waitFor('counting again', async () => ((await post('kept')).status === 200 ? true : undefined), 10_000);
    expect(await views('kept')).to.equal(3);
  });
});
