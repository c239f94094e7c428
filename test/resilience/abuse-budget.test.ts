// The page-cap squat replayed against the built service on a real redis-server: one client creating junk
// pages as fast as it can is refused once over its new-page quota, and a reader at another address can still
// create a real page. Clients are told apart by their socket address (TRUST_PROXY is off): on loopback every
// 127.x.y.z address is this machine, so binding the client socket to 127.0.0.2 makes a second client.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { Agent, request } from 'node:http';
import { figure, sleep } from './figures.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';
import { requestLogLines, untilReady } from '../support/service-checks.js';

const ATTACKER = '127.0.0.1';
const READER = '127.0.0.2';
const PREFIX = 'page-tracker:';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** POSTs a view from a socket bound to `localAddress`. */
function postFrom(agent: Agent, baseUrl: string, localAddress: string, page: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/api/views/${page}`, { method: 'POST', agent, localAddress, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends `count` views with `concurrency` in flight, in order of n; the answers in that order. */
async function flood(count: number, concurrency: number, send: (n: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        answers[n] = await send(n);
      }
    }),
  );
  return answers;
}

/** Waits out the end of a fixed budget window if it is near, so that a test's requests all fall in one window. */
async function clearOfWindowEnd(windowMs: number, marginMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await sleep(left + 50);
}

async function droppedViews(service: RunningService, reason: string): Promise<number> {
  const text = await (await fetch(`${service.metricsUrl}/metrics`)).text();
  return Number(new RegExp(`^page_tracker_views_dropped_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('abuse budget against the built service and a real redis-server', function () {
  let redis: RedisServer;
  let service: RunningService;
  const agents = new Map<string, Agent>();
  const agentFor = (address: string): Agent => {
    let agent = agents.get(address);
    if (agent === undefined) agents.set(address, (agent = new Agent({ keepAlive: true, maxSockets: 16 })));
    return agent;
  };

  async function serve(env: Record<string, string>): Promise<void> {
    redis = await startRedis();
    service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'info', MAX_PAGES: '1000', ...env } });
    await untilReady(service);
  }
  afterEach(async () => {
    for (const agent of agents.values()) agent.destroy();
    agents.clear();
    await service?.stop('SIGKILL');
    await redis?.cleanup();
  });

  it('the squat: one client creating junk pages fast is refused (429) past its new-page quota, and another client still creates a real page (200)', async () => {
    const quota = 50;
    await serve({ NEW_PAGES_PER_CLIENT_PER_HOUR: String(quota) });
    await clearOfWindowEnd(60 * 60 * 1000, 30_000);
    const junk = 1000;
    const started = Date.now();
    // A forged X-Forwarded-For per request: ignored without TRUST_PROXY, so it buys the attacker nothing.
    const answers = await flood(junk, 16, (n) =>
      postFrom(agentFor(ATTACKER), service.baseUrl, ATTACKER, `junk-${n}`, { 'X-Forwarded-For': `198.51.100.${n % 250}`, 'X-Request-Id': `junk-${n}` }),
    );
    const seconds = (Date.now() - started) / 1000;
    const byStatus = new Map<number, number>();
    for (const { status } of answers) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    figure('squat', `${junk} junk pages from one address in ${seconds.toFixed(1)} s, by status ${JSON.stringify(Object.fromEntries(byStatus))}`);
    expect(Object.fromEntries(byStatus)).to.deep.equal({ 200: quota, 429: junk - quota });
    const refused = answers.filter((answer) => answer.status === 429);
    for (const { retryAfter, body } of refused.slice(0, 5)) {
      expect(Number(retryAfter), 'Retry-After: seconds until the hour ends').to.be.within(1, 3600);
      expect(JSON.parse(body)).to.deep.include({ error: 'rate_limited' });
    }

    const reader = await postFrom(agentFor(READER), service.baseUrl, READER, 'blog/a-real-new-post', { 'X-Request-Id': 'reader' });
    expect(reader.status, reader.body).to.equal(200);
    expect(JSON.parse(reader.body)).to.deep.include({ page: 'blog/a-real-new-post', views: 1 });
    // Which address the service went by: its own request log.
    const logged = await waitFor('the request log lines', () => {
      const lines = requestLogLines(service);
      return Promise.resolve(lines.has('reader') && lines.has('junk-0') ? lines : undefined);
    }, 5000);
    expect(logged.get('reader')?.ip).to.equal(READER);
    expect(logged.get('junk-0')?.ip).to.equal(ATTACKER);

    const raw = new Redis(redis.url);
    try {
      expect(await raw.zcard(`${PREFIX}ranking`), 'pages in Redis: the quota and the real page').to.equal(quota + 1);
    } finally {
      raw.disconnect();
    }
    expect(await droppedViews(service, 'rate_limited')).to.equal(junk - quota);
  });

  it('one client over its views per minute gets 429 with Retry-After, and its views are not counted; another client still counts', async () => {
    const limit = 20;
    await serve({ RATE_LIMIT_VIEWS_PER_MINUTE: String(limit) });
    await clearOfWindowEnd(60 * 1000, 10_000);
    const answers = await flood(100, 8, () => postFrom(agentFor(ATTACKER), service.baseUrl, ATTACKER, 'hammered'));
    expect(answers.filter((answer) => answer.status === 200)).to.have.length(limit);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).to.have.length(100 - limit);
    for (const { retryAfter } of refused) expect(Number(retryAfter), 'Retry-After: seconds until the minute ends').to.be.within(1, 60);
    figure('rate limit', `100 views from one address, ${limit} counted; Retry-After ${refused[0]?.retryAfter} s`);

    expect(JSON.parse((await postFrom(agentFor(READER), service.baseUrl, READER, 'hammered')).body)).to.deep.include({ views: limit + 1 });
    expect(await (await fetch(`${service.baseUrl}/api/views/hammered`)).json()).to.deep.equal({
      page: 'hammered',
      views: limit + 1,
      visitors: limit + 1,
    });
    expect(await droppedViews(service, 'rate_limited')).to.equal(100 - limit);
  });
});
