// `npm run check:consistency` as an operator runs it, against a real redis-server the service wrote to.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { checkConsistencyRun } from '../support/check-consistency.js';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';
import { dayOf } from '../../src/days.js';
import { redisKeys } from '../../src/store/redis-keys.js';

describe('npm run check:consistency against a real Redis', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let service: RunningService;
  before(async () => {
    redis = await startRedis();
    service = await startService({ env: { REDIS_URL: redis.url } });
    for (const page of ['a', 'a', 'b/c', 'a']) expect((await fetch(`${service.baseUrl}/api/views/${page}`, { method: 'POST' })).status).to.equal(200);
  });
  after(async () => {
    await service.stop('SIGKILL');
    await redis.cleanup();
  });

  it('passes with exit 0 on counts the service wrote', async () => {
    const run = await checkConsistencyRun(redis.url);
    expect(run.stdout).to.match(/^2 pages, total 4, 1 days with views: consistent$/m);
    expect(run.code, run.stderr).to.equal(0);
  });

  it('exits 1 naming each broken invariant: a total off the sum of its pages, a day\'s total, days above a page\'s all-time views', async () => {
    const client = new Redis(redis.url);
    const keys = redisKeys('page-tracker:');
    const today = dayOf(Date.now());
    try {
      await client.incr(keys.total);
      await client.incr(keys.dayTotal(today));
      await client.zincrby(keys.dayRanking(today), 10, 'b/c');
      const run = await checkConsistencyRun(redis.url);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.include('FINDING the total (5) is not the sum over pages (4)');
      expect(run.stdout).to.include(`FINDING ${today}: the day's total (5) is not the sum over its pages (14)`);
      expect(run.stdout).to.include('FINDING page b/c: its days add up to 11, more than its all-time views (1)');
    } finally {
      client.disconnect();
    }
  });

  it('without a Redis URL says how to give one, exit 2', async () => {
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('npm', ['run', '--silent', 'check:consistency'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } }, (error, _stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : 0, stderr }));
    });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('give the Redis URL as REDIS_URL');
  });
});
