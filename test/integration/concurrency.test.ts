import { expect } from 'chai';
import { Agent, request } from 'node:http';
import { checkedFetch } from '../support/openapi-check.js';
import { useServiceOnRedis } from '../support/service-checks.js';

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
  const stack = useServiceOnRedis();

  it(`${VIEWS} concurrent POSTs to one page are counted exactly ${VIEWS} times, and the ranking and total agree`, async () => {
    const { service } = stack;
    // 200 sockets at once: all requests are in flight together without exhausting file descriptors.
    const agent = new Agent({ keepAlive: true, maxSockets: 200 });
    try {
      const statuses = await Promise.all(Array.from({ length: VIEWS }, () => post(agent, service.baseUrl, '/api/views/hot')));
      expect(statuses.filter((status) => status !== 200)).to.deep.equal([]);
    } finally {
      agent.destroy();
    }
    const stats = (await (await checkedFetch(`${service.baseUrl}/api/views/hot`)).json()) as { views: number; visitors: number };
    expect(stats.views).to.equal(VIEWS);
    // Every request came without a cookie, so each is a new visitor; HyperLogLog is within about 1%.
    expect(stats.visitors).to.be.within(VIEWS * 0.97, VIEWS * 1.03);
    const top = (await (await checkedFetch(`${service.baseUrl}/api/views?limit=1`)).json());
    expect(top).to.deep.equal({ pages: [{ page: 'hot', views: VIEWS }], total: VIEWS });
  });
});
