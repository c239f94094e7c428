import { expect } from 'chai';
import { Agent, request } from 'node:http';
import { checkedFetch } from '../support/openapi-check.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

function inFlight(service: RunningService): Promise<number> {
  return fetch(`${service.metricsUrl}/metrics`)
    .then((response) => response.text())
    .then((text) => Number(/^http_requests_in_flight (\d+)/m.exec(text)?.[1] ?? NaN));
}

function connectionRefused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    (error: unknown) => error instanceof TypeError && (error.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED',
  );
}

describe('graceful shutdown on SIGTERM (real redis-server)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let service: RunningService;
  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    if (redis.pid > 0) {
      try {
        process.kill(redis.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await service.stop('SIGKILL');
    await redis.cleanup();
  });

  async function startWithSlowRedis(env: Record<string, string>): Promise<Array<Promise<number>>> {
    service = await startService({ env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '8000', LOG_LEVEL: 'info', ...env } });
    await waitFor('readiness', async () => ((await checkedFetch(`${service.baseUrl}/readyz`)).ok ? true : undefined), 5000);
    // A frozen Redis keeps requests in flight for as long as the test wants.
    process.kill(redis.pid, 'SIGSTOP');
    const pending = Array.from({ length: 10 }, (_, i) =>
      // -1: the connection was cut before an answer.
      checkedFetch(`${service.baseUrl}/api/views/drain-${i}`, { method: 'POST' }).then((response) => response.status, () => -1),
    );
    await waitFor('10 requests in flight', async () => ((await inFlight(service)) === 10 ? true : undefined), 5000);
    return pending;
  }

  it('fails readiness at once, waits SHUTDOWN_DELAY_SECONDS, stops accepting, lets in-flight requests finish, exits 0', async () => {
    // The 2 s delay leaves room to observe readiness failing while the listener still accepts, even on a busy machine.
    const pending = await startWithSlowRedis({ SHUTDOWN_DELAY_SECONDS: '2', SHUTDOWN_TIMEOUT_SECONDS: '10' });
    // An idle keep-alive connection must not hold the shutdown open.
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request(`${service.baseUrl}/healthz`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject).end();
    });

    const exitCode = service.stop('SIGTERM');
    await waitFor('readiness to fail', async () => ((await checkedFetch(`${service.baseUrl}/readyz`)).status === 503 ? true : undefined), 1000, 20);
    const during = await checkedFetch(`${service.baseUrl}/readyz`);
    expect(await during.json()).to.deep.equal({ status: 'not ready', reason: 'shutting down' });
    expect((await checkedFetch(`${service.baseUrl}/healthz`)).status, 'still serving during the delay').to.equal(200);

    await waitFor('the listener to close', async () => ((await connectionRefused(`${service.baseUrl}/healthz`)) ? true : undefined), 3000, 50);
    expect(await inFlight(service).catch(() => -1), 'requests still in flight after the listener closed').to.equal(10);

    process.kill(redis.pid, 'SIGCONT');
    expect(await Promise.all(pending)).to.deep.equal(Array(10).fill(200));
    expect(await exitCode).to.equal(0);
    agent.destroy();
    const messages = service.logs().map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).to.include.members(['shutdown started: readiness now fails', 'shutdown complete']);
  });

  it('SIGINT shuts down the same way', async () => {
    service = await startService({ env: { REDIS_URL: redis.url } });
    expect(await service.stop('SIGINT')).to.equal(0);
  });

  for (const [signal, exitCode] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`a second ${signal} during the shutdown delay exits at once with ${exitCode} (128 + the signal number), and says so`, async () => {
      service = await startService({ env: { REDIS_URL: redis.url, SHUTDOWN_DELAY_SECONDS: '30' } });
      const exited = service.stop(signal);
      await waitFor('the shutdown to start', () => Promise.resolve(service.logs().some((line) => line.includes('shutdown started')) ? true : undefined), 3000, 20);
      const secondSignalAt = Date.now();
      service.process.kill(signal);
      expect(await exited).to.equal(exitCode);
      expect(Date.now() - secondSignalAt, 'ms from the second signal to the exit').to.be.below(2000);
      const line = service.logs().find((entry) => entry.includes(`second ${signal} during shutdown`));
      expect(line, service.logs().join('\n')).to.not.equal(undefined);
      expect(JSON.parse(line ?? '{}')).to.deep.include({ level: 'error', signal, exitCode });
    });
  }

  it('bounds the drain by SHUTDOWN_TIMEOUT_SECONDS: stuck requests are cut off and the exit code says so', async () => {
    const pending = await startWithSlowRedis({ SHUTDOWN_DELAY_SECONDS: '0', SHUTDOWN_TIMEOUT_SECONDS: '1' });
    const started = Date.now();
    const exitCode = await service.stop('SIGTERM');
    expect(Date.now() - started).to.be.below(5000);
    expect(exitCode).to.equal(1);
    expect(await Promise.all(pending), 'cut-off requests see their connection close').to.deep.equal(Array(10).fill(-1));
  });
});
