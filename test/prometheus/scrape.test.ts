// A real Prometheus scrapes the built service (backed by a real redis-server) every second and loads the
// chart's rule file; everything is checked through Prometheus's HTTP API, as an operator would see it.
import { expect } from 'chai';
import { waitFor } from '../support/processes.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { runPromtool } from '../support/promtool.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';
import { RULES_FILE, dashboardQueries, readRuleGroups, substituteGrafanaVariables } from '../support/monitoring-files.js';

const JOB = 'page-tracker';
const DISTINCT_PAGES = 500;
const CONCURRENCY = 16;

interface RuleStatus {
  name: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  lastEvaluation: string;
}

const nowSeconds = (): number => Date.now() / 1000;

/** Runs `tasks` with at most CONCURRENCY in flight and returns how many resolved true. */
async function countTrue(tasks: (() => Promise<boolean>)[]): Promise<number> {
  let next = 0;
  let count = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task !== undefined && (await task())) count++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count;
}

describe('a real Prometheus scraping page-tracker', function () {
  this.timeout(120_000);

  let redis: RedisServer | undefined;
  let service: RunningService | undefined;
  let prometheus: RunningPrometheus | undefined;
  let viewsCounted = 0;
  let beforeTraffic = 0;
  let afterTraffic = 0;

  const prom = (): RunningPrometheus => {
    if (prometheus === undefined) throw new Error('prometheus did not start');
    return prometheus;
  };

  /** One request; true when it counted a view (the service answered 200 to a counting request). */
  const request = (method: 'GET' | 'POST', path: string, counts: boolean, headers: Record<string, string> = {}) => async () => {
    const response = await fetch(`${service?.baseUrl}${path}`, { method, headers });
    await response.arrayBuffer();
    const expected = path.startsWith('/nowhere') ? 404 : 200;
    if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}, expected ${expected}`);
    return counts;
  };

  /** Resolves once Prometheus holds a scrape taken after `unixSeconds`. */
  const scrapedAfter = (unixSeconds: number): Promise<number> =>
    waitFor(
      `a scrape after ${unixSeconds}`,
      async () => {
        const [sample] = await prom().query(`timestamp(page_tracker_views_total{job="${JOB}"})`);
        const scrapedAt = Number(sample?.value[1]);
        return scrapedAt > unixSeconds ? scrapedAt : undefined;
      },
      20_000,
      200,
    );

  before(async () => {
    redis = await startRedis();
    service = await startService({ env: { REDIS_URL: redis.url } });
    prometheus = await startPrometheus({ targets: [new URL(service.metricsUrl).host], jobName: JOB, ruleFiles: [RULES_FILE] });

    beforeTraffic = await scrapedAfter(0);
    // Two bursts with a scrape between them, so rate() over the histogram sees its buckets move, not just
    // appear. Reads, the top list and a 404 count nothing; the home page and POSTs count one view each.
    viewsCounted += await countTrue([
      ...Array.from({ length: DISTINCT_PAGES }, (_, i) => request('POST', `/api/views/page-${i}`, true)),
      ...Array.from({ length: 20 }, (_, i) => request('GET', `/api/views/page-${i}`, false)),
      request('GET', '/', true),
      request('GET', '/', true, { Accept: 'application/json' }),
      request('GET', '/api/views?limit=5', false),
      request('GET', '/nowhere/at/all', false),
    ]);
    await scrapedAfter(nowSeconds());
    viewsCounted += await countTrue([
      ...Array.from({ length: 50 }, () => request('POST', '/api/views/home', true)),
      ...Array.from({ length: 20 }, () => request('GET', '/api/views/home', false)),
    ]);
    afterTraffic = await scrapedAfter(nowSeconds());
  });

  after(async () => {
    await prometheus?.stop();
    await service?.stop();
    await redis?.cleanup();
  });

  it('sees the service as an up target', async () => {
    const { activeTargets } = await prom().api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>(
      '/api/v1/targets',
    );
    expect(activeTargets.map((target) => [target.labels.job, target.health, target.lastError])).to.deep.equal([[JOB, 'up', '']]);
    const up = await prom().query(`up{job="${JOB}"}`);
    expect(up.map((sample) => sample.value[1])).to.deep.equal(['1']);
  });

  it('counts exactly the views the test made', async () => {
    expect(viewsCounted).to.equal(DISTINCT_PAGES + 2 + 50);
    const valueAt = async (time: number): Promise<number> => {
      const [sample, ...more] = await prom().query(`page_tracker_views_total{job="${JOB}"}`, time);
      expect(more).to.deep.equal([]);
      return Number(sample?.value[1]);
    };
    expect((await valueAt(afterTraffic)) - (await valueAt(beforeTraffic))).to.equal(viewsCounted);
  });

  it('answers histogram_quantile over the request-duration histogram for /api/views/:page', async () => {
    for (const quantile of [0.5, 0.95, 0.99]) {
      const samples = await prom().query(
        `histogram_quantile(${quantile}, sum by (le) (rate(http_request_duration_seconds_bucket{job="${JOB}", route="/api/views/:page"}[1m])))`,
        afterTraffic,
      );
      expect(samples, `p${quantile * 100}`).to.have.lengthOf(1);
      const seconds = Number(samples[0]?.value[1]);
      expect(seconds, `p${quantile * 100} in seconds`).to.be.greaterThan(0).and.lessThan(5);
    }
  });

  it(`keeps route labels to templates after requests to ${DISTINCT_PAGES} different pages`, async () => {
    const routes = await prom().api<string[]>('/api/v1/label/route/values', {
      'match[]': `http_request_duration_seconds_count{job="${JOB}"}`,
    });
    expect(routes).to.include('/api/views/:page');
    expect(routes.filter((route) => route.includes('page-'))).to.deep.equal([]);
    expect(routes.length, routes.join(' ')).to.be.at.most(10);
    const [series] = await prom().query(`count(http_request_duration_seconds_count{job="${JOB}"})`);
    expect(Number(series?.value[1])).to.be.at.most(30);
  });

  it('loads every rule of the rule file and evaluates them without errors', async () => {
    const expected = readRuleGroups().map((group) => ({ name: group.name, rules: group.rules.map((rule) => rule.record ?? rule.alert) }));
    const groups = await waitFor(
      'every rule to have been evaluated',
      async () => {
        const data = await prom().api<{ groups: { name: string; rules: RuleStatus[] }[] }>('/api/v1/rules');
        const all = data.groups.flatMap((group) => group.rules);
        return all.length > 0 && all.every((rule) => rule.health !== 'unknown') ? data.groups : undefined;
      },
      20_000,
      250,
    );
    // The API lists groups in its own order; within a group, rules keep the file's order.
    expect(groups.map((group) => ({ name: group.name, rules: group.rules.map((rule) => rule.name) }))).to.have.deep.members(expected);
    const unhealthy = groups.flatMap((group) => group.rules).filter((rule) => rule.health !== 'ok' || (rule.lastError ?? '') !== '');
    expect(unhealthy).to.deep.equal([]);
  });

  it('runs every dashboard query, and the panels about traffic, latency, Redis and health have data', async () => {
    // Nothing failed in this run, so these two may rightly be empty; they must still run.
    const mayBeEmpty = new Set(['panel "Error ratio (5xx, probes excluded)"', 'panel "Redis errors/s by command"']);
    const empty: string[] = [];
    for (const query of dashboardQueries()) {
      const expr = substituteGrafanaVariables(query.expr, '1m', { job: JOB, instance: '.*' });
      const samples = await prom().query(expr, afterTraffic);
      if (samples.length === 0 && !mayBeEmpty.has(query.where)) empty.push(`${query.where}: ${expr}`);
    }
    expect(empty).to.deep.equal([]);
  });

  it('promtool check metrics has nothing to say about the live /metrics page', async () => {
    const response = await fetch(`${service?.metricsUrl}/metrics`);
    expect(response.status).to.equal(200);
    const result = await runPromtool(['check', 'metrics'], await response.text());
    expect({ code: result.code, output: result.stdout + result.stderr }).to.deep.equal({ code: 0, output: '' });
  });
});
