import { expect } from 'chai';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

async function timedPost(service: RunningService, page: string): Promise<{ status: number; ms: number; retryAfter: string | null; body: unknown }> {
  const started = Date.now();
  const response = await fetch(`${service.baseUrl}/api/views/${page}`, { method: 'POST' });
  return { status: response.status, ms: Date.now() - started, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

async function readyStatus(service: RunningService): Promise<number> {
  return (await fetch(`${service.baseUrl}/readyz`)).status;
}

function expectNoCrashSigns(service: RunningService): void {
  const logs = service.logs().join('\n');
  expect(logs).to.not.match(/unhandled|uncaught/i);
  expect(service.process.exitCode).to.equal(null);
}

describe('Redis going away and coming back (real redis-server)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let service: RunningService;

  beforeEach(async () => {
    redis = await startRedis();
    service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
    await waitFor('readiness', async () => ((await readyStatus(service)) === 200 ? true : undefined), 5000);
  });
  afterEach(async () => {
    await service.stop('SIGKILL');
    await redis.cleanup();
  });

  it('Redis killed: counting answers 503 JSON with Retry-After within a second, readiness fails, and both recover when Redis restarts', async () => {
    expect((await timedPost(service, 'survivor')).status).to.equal(200);
    await redis.kill();

    const down = await timedPost(service, 'survivor');
    expect(down.status).to.equal(503);
    expect(down.ms).to.be.below(1500);
    expect(down.retryAfter).to.equal('1');
    expect(down.body).to.deep.include({ error: 'store_unavailable' });
    const read = await fetch(`${service.baseUrl}/api/views/survivor`);
    expect(read.status).to.equal(503);
    await waitFor('readiness to fail', async () => ((await readyStatus(service)) === 503 ? true : undefined), 3000);
    expect((await fetch(`${service.baseUrl}/healthz`)).status, 'liveness ignores Redis').to.equal(200);

    await redis.start();
    await waitFor('counting to resume', async () => ((await timedPost(service, 'survivor')).status === 200 ? true : undefined), 10_000, 200);
    await waitFor('readiness to recover', async () => ((await readyStatus(service)) === 200 ? true : undefined), 3000);
    // SIGKILL may lose up to a second of AOF (appendfsync everysec), so only "counting works again" is exact here.
    const after = (await (await fetch(`${service.baseUrl}/api/views/survivor`)).json()) as { views: number };
    expect(after.views).to.be.at.least(1);
    expectNoCrashSigns(service);
  });

  it('Redis frozen (SIGSTOP): requests answer 503 within about the command timeout, never hang', async () => {
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => timedPost(service, `frozen-${i % 3}`)));
      for (const result of results) {
        expect(result.status).to.equal(503);
        expect(result.ms, JSON.stringify(results.map((r) => r.ms))).to.be.below(1500);
      }
      await waitFor('readiness to fail', async () => ((await readyStatus(service)) === 503 ? true : undefined), 3000);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await waitFor('counting to resume', async () => ((await timedPost(service, 'thawed')).status === 200 ? true : undefined), 5000, 100);
    expectNoCrashSigns(service);
  });

  it('Redis stopped gracefully and restarted: counts written before survive and counting continues', async () => {
    for (let i = 0; i < 5; i += 1) expect((await timedPost(service, 'durable')).status).to.equal(200);
    await redis.stop();
    expect((await timedPost(service, 'durable')).status).to.equal(503);
    await redis.start();
    await waitFor('counting to resume', async () => ((await timedPost(service, 'durable')).status === 200 ? true : undefined), 10_000, 200);
    const stats = (await (await fetch(`${service.baseUrl}/api/views/durable`)).json()) as { views: number };
    expect(stats.views).to.equal(6);
    expectNoCrashSigns(service);
  });
});

describe('the service starting while Redis is unreachable', () => {
  it('serves liveness, fails readiness with a reason, answers 503 fast, and counts once Redis appears', async function () {
    this.timeout(20_000);
    const redis = await startRedis();
    await redis.stop();
    const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
    try {
      expect((await fetch(`${service.baseUrl}/healthz`)).status).to.equal(200);
      const ready = await fetch(`${service.baseUrl}/readyz`);
      expect(ready.status).to.equal(503);
      expect(((await ready.json()) as { reason: string }).reason).to.match(/^store did not answer a ping/);
      const post = await timedPost(service, 'early');
      expect(post.status).to.equal(503);
      expect(post.ms).to.be.below(1500);
      await redis.start();
      await waitFor('counting to start', async () => ((await timedPost(service, 'early')).status === 200 ? true : undefined), 10_000, 200);
      expectNoCrashSigns(service);
    } finally {
      await service.stop();
      await redis.cleanup();
    }
  });
});

describe('the service against a password-protected Redis', () => {
  it('authenticates with REDIS_PASSWORD while REDIS_URL carries no password', async () => {
    const redis = await startRedis({ password: 'pw-for-test' });
    const service = await startService({ env: { REDIS_URL: redis.url, REDIS_PASSWORD: 'pw-for-test', LOG_LEVEL: 'warn' } });
    try {
      await waitFor('readiness', async () => ((await readyStatus(service)) === 200 ? true : undefined), 5000);
      expect((await timedPost(service, 'secret-page')).status).to.equal(200);
    } finally {
      await service.stop();
      await redis.cleanup();
    }
  });
});

describe('the service against Redis over TLS (rediss://)', () => {
  it('connects when the CA is trusted, and refuses (503, not ready, no crash) when it is not', async function () {
    this.timeout(20_000);
    const redis = await startRedis({ tls: true });
    try {
      const trusted = await startService({ env: { REDIS_URL: redis.url, NODE_EXTRA_CA_CERTS: redis.caFile ?? '', LOG_LEVEL: 'warn' } });
      try {
        await waitFor('readiness over TLS', async () => ((await readyStatus(trusted)) === 200 ? true : undefined), 5000);
        expect((await timedPost(trusted, 'tls-page')).status).to.equal(200);
      } finally {
        expect(await trusted.stop()).to.equal(0);
      }
      const untrusted = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
      try {
        expect((await timedPost(untrusted, 'tls-page')).status).to.equal(503);
        expect(await readyStatus(untrusted)).to.equal(503);
        await waitFor('the certificate error in the log', () => Promise.resolve(untrusted.logs().some((line) => /certificate/i.test(line)) ? true : undefined), 3000);
        expectNoCrashSigns(untrusted);
      } finally {
        expect(await untrusted.stop()).to.equal(0);
      }
    } finally {
      await redis.cleanup();
    }
  });
});

