// SIGTERM while a steady load runs: what the service accepted, it answers; then it exits 0 in time.
import { expect } from 'chai';
import { startLoad } from '../support/load.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService, type RunningService } from '../support/service.js';
import { figure, ms, sleep } from './figures.js';
import { requestLogLines, untilReady } from '../support/service-checks.js';

const DELAY_SECONDS = 1;
const TIMEOUT_SECONDS = 5;
// How a client sees a connection the server never took a request from: refused after the listener
// closed, or an idle keep-alive connection closed just as the next request went out.
const NOT_ACCEPTED = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up'];

describe('SIGTERM under steady load', function () {
  let redis: RedisServer;
  let service: RunningService;
  before(async () => {
    redis = await startRedis();
    service = await startService({
      env: { REDIS_URL: redis.url, LOG_LEVEL: 'info', SHUTDOWN_DELAY_SECONDS: String(DELAY_SECONDS), SHUTDOWN_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS), ...ONE_CLIENT_LOAD_ENV },
    });
    await untilReady(service);
  });
  after(async () => {
    await service.stop('SIGKILL');
    await redis.cleanup();
  });

  it('answers every request it accepted (per its own log) and exits 0 within the grace period', async () => {
    const load = startLoad({ baseUrl: service.baseUrl, concurrency: 16, path: (n) => `/api/views/drain-${n % 5}`, keepRecords: true });
    await sleep(1500);
    const signalledAt = Date.now();
    const exitCode = await service.stop('SIGTERM');
    const exitMs = Date.now() - signalledAt;
    const { records } = await load.stop();

    const handled = requestLogLines(service);
    const answered = records.filter((r) => r.status !== undefined);
    const unanswered = records.filter((r) => r.status === undefined);
    const afterSignal = answered.filter((r) => r.start >= signalledAt).length;
    figure('shutdown under load', `exit ${exitCode} after ${ms(exitMs)} (delay ${DELAY_SECONDS} s + drain, bound ${DELAY_SECONDS + TIMEOUT_SECONDS} s); ${answered.length} answered (${afterSignal} sent after SIGTERM), ${unanswered.length} not accepted (${[...new Set(unanswered.map((r) => r.error))].join(', ')})`);

    expect(exitCode).to.equal(0);
    expect(exitMs, 'ms from SIGTERM to exit').to.be.below((DELAY_SECONDS + TIMEOUT_SECONDS) * 1000);
    expect(answered.filter((r) => r.status !== 200), 'answers other than 200 (Redis stays up)').to.deep.equal([]);
    // Each request the service logged got that very answer; none it logged went unanswered.
    for (const record of answered) expect(handled.get(record.id)?.status, `log line of ${record.id}`).to.equal(record.status);
    expect(unanswered.filter((r) => handled.has(r.id)), 'accepted by the service but never answered').to.deep.equal([]);
    expect(unanswered.filter((r) => !NOT_ACCEPTED.includes(r.error ?? '')), 'failures of another kind').to.deep.equal([]);
    const loadLines = [...handled.keys()].filter((id) => id.startsWith('load-')).length;
    expect(loadLines, 'log lines of load requests vs answered requests').to.equal(answered.length);
  });
});
