// `npm run check:consistency` as an operator runs it, against a real redis-server the service wrote to.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { checkConsistencyRun } from '../support/check-consistency.js';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';
import { dayNumber, dayOf } from '../../src/days.js';
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
    expect(run.stdout).to.match(/^2 pages \(2 first seen within the retention, their days checked to add up to their total\), total 4, 1 days with views: consistent$/m);
    expect(run.code, run.stderr).to.equal(0);
  });

  it('exits 1 naming each broken invariant: a total off the sum of its pages, a day\'s total, a page first seen within the retention whose days do not add up to its views (more or fewer), a first-seen day of no page', async () => {
    const client = new Redis(redis.url);
    const keys = redisKeys('page-tracker:');
    const today = dayOf(Date.now());
    try {
      await client.incr(keys.total);
      await client.incr(keys.dayTotal(today));
      await client.zincrby(keys.dayRanking(today), 10, 'b/c');
      await client.zincrby(keys.ranking, 5, 'a');
      await client.incrby(keys.total, 5);
      await client.zadd(keys.firstSeen, dayNumber(today), 'gone');
      const run = await checkConsistencyRun(redis.url);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.include('FINDING the total (10) is not the sum over pages (9)');
      expect(run.stdout).to.include(`FINDING ${today}: the day's total (5) is not the sum over its pages (14)`);
      expect(run.stdout).to.include(`FINDING page b/c: first seen ${today}, within the retention, but its days add up to 11, not its all-time views (1)`);
      expect(run.stdout).to.include(`FINDING page a: first seen ${today}, within the retention, but its days add up to 3, not its all-time views (8)`);
      expect(run.stdout).to.include('FINDING page gone: a first-seen day but no views all-time');
      expect(run.stdout).to.match(/: 5 finding\(s\)$/m);
    } finally {
      client.disconnect();
    }
  });

  it('a page first seen before the retention, or with no first-seen day (counted before it was recorded), is checked as days <= all-time views', async () => {
    const client = new Redis(redis.url);
    const keys = redisKeys('other:');
    const today = dayOf(Date.now());
    try {
      await client.zadd(keys.ranking, 5, 'old', 3, 'legacy', 1, 'too-many');
      await client.set(keys.total, 9);
      await client.zadd(keys.firstSeen, dayNumber('2000-01-01'), 'old', dayNumber('2000-01-01'), 'too-many');
      await client.zadd(keys.dayRanking(today), 2, 'old', 1, 'legacy');
      await client.set(keys.dayTotal(today), 3);
      const consistent = await checkConsistencyRun(redis.url, { REDIS_KEY_PREFIX: 'other:' });
      expect(consistent.stdout).to.match(/^3 pages \(0 first seen within the retention, .*\), total 9, 1 days with views: consistent$/m);
      expect(consistent.code, consistent.stdout).to.equal(0);
      await client.zadd(keys.dayRanking(today), 4, 'too-many');
      await client.set(keys.dayTotal(today), 7);
      const broken = await checkConsistencyRun(redis.url, { REDIS_KEY_PREFIX: 'other:' });
      expect(broken.stdout).to.include('FINDING page too-many: its days add up to 4, more than its all-time views (1)');
      expect(broken.code).to.equal(1);
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
