// The Redis password never shows: not in log lines, stderr, answers, /metrics, nor start-up refusals.
// (The chart's rendered objects are covered by test/chart/security.test.ts.)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkedFetch } from '../support/openapi-check.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

const PASSWORD = 'Redis0Password0That0Must0Not0Leak';
const WRONG_PASSWORD = 'Wrong0Password0That0Must0Not0Leak0Either';

/** Everything the service said: its log lines, stderr, the answers to a few requests and /metrics. */
async function everythingSaid(service: RunningService): Promise<string> {
  const answers: string[] = [];
  for (const [path, method] of [['/api/views/secret', 'POST'], ['/api/views/secret', 'GET'], ['/readyz', 'GET'], ['/', 'GET']] as const) {
    const response = await checkedFetch(`${service.baseUrl}${path}`, { method });
    answers.push(JSON.stringify([...response.headers]), await response.text());
  }
  answers.push(await (await fetch(`${service.metricsUrl}/metrics`)).text());
  // Log lines are flushed every half second.
  await new Promise((resolve) => setTimeout(resolve, 700));
  return [...service.logs(), service.stderr(), ...answers].join('\n');
}

describe('the Redis password stays secret (real redis-server with requirepass)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let passwordFile: string;
  before(async () => {
    redis = await startRedis({ password: PASSWORD });
    passwordFile = join(await mkdtemp(join(tmpdir(), 'password-file-')), 'redis-password');
    await writeFile(passwordFile, `${PASSWORD}\n`);
  });
  after(async () => {
    await redis.cleanup();
    await rm(join(passwordFile, '..'), { recursive: true, force: true });
  });

  for (const [name, env] of [
    ['from REDIS_PASSWORD', (): Record<string, string> => ({ REDIS_URL: redis.url, REDIS_PASSWORD: PASSWORD })],
    ['inside REDIS_URL', (): Record<string, string> => ({ REDIS_URL: redis.url.replace('redis://', `redis://:${PASSWORD}@`) })],
    ['from REDIS_PASSWORD_FILE', (): Record<string, string> => ({ REDIS_URL: redis.url, REDIS_PASSWORD_FILE: passwordFile })],
  ] as const) {
    it(`(${name}) is absent from logs at trace level, answers and /metrics, also while Redis goes away and back`, async () => {
      const service = await startService({ env: { ...env(), LOG_LEVEL: 'trace' } });
      try {
        await waitFor('readiness', async () => ((await checkedFetch(`${service.baseUrl}/readyz`)).ok ? true : undefined), 5000);
        const healthy = await everythingSaid(service);
        await redis.stop();
        const down = await everythingSaid(service);
        await redis.start();
        await waitFor('readiness again', async () => ((await checkedFetch(`${service.baseUrl}/readyz`)).ok ? true : undefined), 10_000);
        expect(service.logs().join('\n'), 'the service did log (trace level)').to.include('"msg":"request"');
        expect(`${healthy}\n${down}\n${service.logs().join('\n')}`).not.to.include(PASSWORD);
      } finally {
        await service.stop();
      }
    });
  }

  it('a wrong password is absent from the authentication errors it causes', async () => {
    const service = await startService({ env: { REDIS_URL: redis.url, REDIS_PASSWORD: WRONG_PASSWORD, LOG_LEVEL: 'trace' } });
    try {
      const said = await everythingSaid(service);
      expect(said, 'Redis refused the password and the service said so').to.match(/WRONGPASS|NOAUTH|invalid password/i);
      expect(said).not.to.include(WRONG_PASSWORD);
      expect(said).not.to.include(PASSWORD);
    } finally {
      await service.stop();
    }
  });

  it('a REDIS_URL that does not parse is refused without echoing the password it holds', async () => {
    const failure = await startService({ env: { REDIS_URL: `redis://:${PASSWORD}@[not-a-host` } }).then(
      async (service) => {
        await service.stop();
        return 'the service started';
      },
      (error: unknown) => String(error),
    );
    expect(failure).to.include('REDIS_URL');
    expect(failure).not.to.include(PASSWORD);
  });
});
