import { expect } from 'chai';
import { BROWSER_ACCEPT } from '../support/browser-accept.js';
import { checkedFetch } from '../support/openapi-check.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

interface TimedAnswer {
  status: number;
  ms: number;
  retryAfter: string | null;
  replayed: string | null;
  body: unknown;
}

async function timedPost(service: RunningService, page: string, headers: Record<string, string> = {}): Promise<TimedAnswer> {
  const started = Date.now();
  const response = await checkedFetch(`${service.baseUrl}/api/views/${page}`, { method: 'POST', headers });
  return {
    status: response.status,
    ms: Date.now() - started,
    retryAfter: response.headers.get('retry-after'),
    replayed: response.headers.get('idempotent-replayed'),
    body: await response.json(),
  };
}

async function viewsOf(service: RunningService, page: string): Promise<number | undefined> {
  const response = await checkedFetch(`${service.baseUrl}/api/views/${page}`);
  return response.status === 200 ? ((await response.json()) as { views: number }).views : undefined;
}

async function readyStatus(service: RunningService): Promise<number> {
  return (await checkedFetch(`${service.baseUrl}/readyz`)).status;
}

async function notReadyReason(service: RunningService): Promise<string> {
  const response = await checkedFetch(`${service.baseUrl}/readyz`);
  return response.status === 503 ? ((await response.json()) as { reason: string }).reason : '';
}

/** Waits until /readyz fails for a reason matching `cause`, and resolves that reason. */
async function waitForNotReadyBecause(service: RunningService, cause: RegExp): Promise<string> {
  return waitFor(`/readyz to fail naming ${String(cause)}`, async () => {
    const reason = await notReadyReason(service);
    return cause.test(reason) ? reason : undefined;
  }, 5000);
}

function logLines(service: RunningService): Array<Record<string, unknown>> {
  return service.logs().map((line) => JSON.parse(line) as Record<string, unknown>);
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
    const read = await checkedFetch(`${service.baseUrl}/api/views/survivor`);
    expect(read.status).to.equal(503);
    await waitFor('readiness to fail', async () => ((await readyStatus(service)) === 503 ? true : undefined), 3000);
    expect((await checkedFetch(`${service.baseUrl}/healthz`)).status, 'liveness ignores Redis').to.equal(200);

    await redis.start();
    await waitFor('counting to resume', async () => ((await timedPost(service, 'survivor')).status === 200 ? true : undefined), 10_000, 200);
    await waitFor('readiness to recover', async () => ((await readyStatus(service)) === 200 ? true : undefined), 3000);
    // SIGKILL may lose up to a second of AOF (appendfsync everysec), so only "counting works again" is exact here.
    const after = (await (await checkedFetch(`${service.baseUrl}/api/views/survivor`)).json()) as { views: number };
    expect(after.views).to.be.at.least(1);
    expectNoCrashSigns(service);
  });

  it('Redis killed: a browser on / gets a 503 page with Retry-After saying to reload, an API client the JSON', async () => {
    await redis.kill();
    const page = await checkedFetch(`${service.baseUrl}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).to.equal(503);
    expect(page.headers.get('retry-after')).to.equal('1');
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const body = await page.text();
    expect(body).to.include('<h1>503 Service Unavailable</h1>').and.to.include('Reload this page in a moment');
    expect(body, 'the cause is for operators only').to.not.include('ECONNREFUSED');
    const json = await checkedFetch(`${service.baseUrl}/`, { headers: { accept: 'application/json' } });
    expect(json.status).to.equal(503);
    expect(json.headers.get('retry-after')).to.equal('1');
    expect(await json.json()).to.deep.include({ error: 'store_unavailable' });
  });

  it('Redis killed: /readyz names the refused connection, and 100 refused requests log one warning per cause, then a count', async () => {
    await redis.kill();
    const reason = await waitForNotReadyBecause(service, /ECONNREFUSED/);
    expect(reason).to.match(/^store did not answer a ping: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    const statuses = await Promise.all(Array.from({ length: 100 }, async () => (await timedPost(service, 'refused')).status));
    expect(statuses).to.deep.equal(Array(100).fill(503));

    const storeWarnings = () => logLines(service).filter((line) => String(line.msg).startsWith('store unavailable'));
    // Every refused request is accounted for: logged at once, or counted in a later line (log lines are
    // flushed every half second, the count comes at the end of its 5 s window).
    await waitFor('the count of the suppressed warnings', () => {
      const counted = storeWarnings().reduce((sum, line) => sum + (typeof line.suppressed === 'number' ? line.suppressed : 1), 0);
      return Promise.resolve(counted === 100 ? true : undefined);
    }, 8000, 100);
    const atOnce = storeWarnings().filter((line) => line.suppressed === undefined);
    expect(atOnce.map((line) => line.err), 'warnings logged at once').to.deep.equal([reason.replace('store did not answer a ping: ', '')]);
    expect(storeWarnings()).to.have.length(2);
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
      await waitForNotReadyBecause(service, /^store did not answer a ping: no answer from Redis within 1000 ms$/);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await waitFor('counting to resume', async () => ((await timedPost(service, 'thawed')).status === 200 ? true : undefined), 5000, 100);
    expectNoCrashSigns(service);
  });

  it('Redis frozen: a POST with an Idempotency-Key answers 503, its write lands on resume, and the retry with the key finds it (counted once)', async () => {
    // A first view loads the script, so that the frozen Redis is sent the write itself (EVALSHA) rather than
    // a call it would answer with NOSCRIPT after the client stopped waiting.
    expect((await timedPost(service, 'warm-up')).status).to.equal(200);
    const withKey = { 'Idempotency-Key': 'page-load-7f3c' };
    process.kill(redis.pid, 'SIGSTOP');
    let lost: TimedAnswer;
    try {
      lost = await timedPost(service, 'retried', withKey);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    expect(lost.status).to.equal(503);
    expect(lost.ms).to.be.below(1500);
    expect(lost.retryAfter).to.equal('1');
    // The 503 lost the answer, not the write: Redis runs the call waiting in its socket as soon as it resumes.
    await waitFor('the write sent while frozen to land', async () => ((await viewsOf(service, 'retried')) === 1 ? true : undefined), 5000, 100);

    const retry = await waitFor('the retry to be answered', async () => {
      const answer = await timedPost(service, 'retried', withKey);
      return answer.status === 200 ? answer : undefined;
    }, 5000, 100);
    expect(retry.replayed).to.equal('true');
    expect(retry.body).to.deep.equal({ page: 'retried', views: 1, visitors: 1 });
    expect(await viewsOf(service, 'retried')).to.equal(1);
    const ranking = (await (await checkedFetch(`${service.baseUrl}/api/views`)).json()) as { total: number };
    expect(ranking.total, 'warm-up and the one counted retry').to.equal(2);
    expectNoCrashSigns(service);
  });

  it('Redis stopped gracefully and restarted: counts written before survive and counting continues', async () => {
    for (let i = 0; i < 5; i += 1) expect((await timedPost(service, 'durable')).status).to.equal(200);
    await redis.stop();
    expect((await timedPost(service, 'durable')).status).to.equal(503);
    await redis.start();
    await waitFor('counting to resume', async () => ((await timedPost(service, 'durable')).status === 200 ? true : undefined), 10_000, 200);
    const stats = (await (await checkedFetch(`${service.baseUrl}/api/views/durable`)).json()) as { views: number };
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
      expect((await checkedFetch(`${service.baseUrl}/healthz`)).status).to.equal(200);
      const ready = await checkedFetch(`${service.baseUrl}/readyz`);
      expect(ready.status).to.equal(503);
      expect(((await ready.json()) as { reason: string }).reason).to.match(/^store did not answer a ping/);
      await waitForNotReadyBecause(service, /^store did not answer a ping: connect ECONNREFUSED /);
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

describe('the service pointed at a Redis host name that does not resolve', () => {
  it('/readyz names the failed lookup (ENOTFOUND), not the client library', async () => {
    const service = await startService({ env: { REDIS_URL: 'redis://page-tracker-redis.invalid:6379', LOG_LEVEL: 'warn' } });
    try {
      // EAI_AGAIN is what a machine without any DNS server answers for the same lookup.
      await waitForNotReadyBecause(service, /^store did not answer a ping: getaddrinfo (ENOTFOUND|EAI_AGAIN) page-tracker-redis\.invalid$/);
    } finally {
      await service.stop();
    }
  });
});

describe('the service against a password-protected Redis', () => {
  for (const [what, env, cause] of [
    ['a wrong password', { REDIS_PASSWORD: 'not-the-password' }, /: WRONGPASS /],
    ['no password', {}, /: NOAUTH /],
  ] as const) {
    it(`with ${what}: /readyz and the 503 warning name Redis's refusal (${String(cause)})`, async () => {
      const redis = await startRedis({ password: 'pw-for-test' });
      const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...env } });
      try {
        await waitForNotReadyBecause(service, cause);
        expect((await timedPost(service, 'locked')).status).to.equal(503);
        const warning = await waitFor('the store unavailable warning', () => Promise.resolve(logLines(service).find((line) => line.msg === 'store unavailable')), 3000);
        expect(`: ${String(warning.err)}`).to.match(cause);
      } finally {
        await service.stop();
        await redis.cleanup();
      }
    });
  }


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

