import { expect } from 'chai';
import { Agent, request } from 'node:http';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

const VIEWS = 2000;

function post(agent: Agent, baseUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('concurrency against a real redis-server', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let service: RunningService;
  before(async () => {
    redis = await startRedis();
    service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
    await waitFor('readiness', async () => ((await fetch(`${service.baseUrl}/readyz`)).ok ? true : undefined), 5000);
  });
  after(async () => {
    await service.stop();
    await redis.cleanup();
  });

  it(`${VIEWS} concurrent POSTs to one page are counted exactly ${VIEWS} times, and the ranking and total agree`, async () => {
    // 200 sockets at once: all requests are in flight together without exhausting file descriptors.
    const agent = new Agent({ keepAlive: true, maxSockets: 200 });
    try {
      const statuses = await Promise.all(Array.from({ length: VIEWS }, () => post(agent, service.baseUrl, '/api/views/hot')));
      expect(statuses.filter((status) => status !== 200)).to.deep.equal([]);
    } finally {
      agent.destroy();
    }
    const stats = (await (await fetch(`${service.baseUrl}/api/views/hot`)).json()) as { views: number; visitors: number };
    expect(stats.views).to.equal(VIEWS);
    // Every request came without a cookie, so each is a new visitor; HyperLogLog is within about 1%.
    expect(stats.visitors).to.be.within(VIEWS * 0.97, VIEWS * 1.03);
    const top = (await (await fetch(`${service.baseUrl}/api/views?limit=1`)).json());
    expect(top).to.deep.equal({ pages: [{ page: 'hot', views: VIEWS }], total: VIEWS });
  });
});
