// A real Prometheus scrapes the built service (backed by a real redis-server) every second and loads the
// chart's rule file; everything is checked through Prometheus's HTTP API, as an operator would see it.
import { expect } from 'chai';
import { waitFor } from '../support/processes.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { runPromtool } from '../support/promtool.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService, type RunningService } from '../support/service.js';
import { RULES_FILE, dashboardQueries, readRuleGroups, substituteGrafanaVariables } from '../support/monitoring-files.js';

// A job name that says nothing about the service, as in a hand-written scrape config: the rules must find
// page-tracker's series by page_tracker_build_info, not by the job's name.
const JOB = 'plain-scrape-config';
const DISTINCT_PAGES = 500;
const CONCURRENCY = 16;

interface AlertStatus {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
}

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

  /** One request that must answer `expected`; resolves `counts` (whether it counted a view). */
  const request =
    (method: 'GET' | 'POST', path: string, counts: boolean, expected = 200, headers: Record<string, string> = {}) =>
    async (): Promise<boolean> => {
      const response = await fetch(`${service?.baseUrl}${path}`, { method, headers });
      await response.arrayBuffer();
      if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}, expected ${expected}`);
      return counts;
    };

  const alertStates = async (): Promise<Record<string, string>> => {
    const { alerts } = await prom().api<{ alerts: AlertStatus[] }>('/api/v1/alerts');
    const states: Record<string, string> = {};
    for (const alert of alerts) states[alert.labels.alertname ?? '?'] = alert.state;
    return states;
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
    // Every request comes from this one client, and it creates more pages than a client's hourly quota.
    service = await startService({ env: { REDIS_URL: redis.url, ...ONE_CLIENT_LOAD_ENV } });
    prometheus = await startPrometheus({ targets: [new URL(service.metricsUrl).host], jobName: JOB, ruleFiles: [RULES_FILE] });

    beforeTraffic = await scrapedAfter(0);
    // Two bursts with a scrape between them, so rate() over the histogram sees its buckets move, not just
    // appear. Reads, the top list and a 404 count nothing; the home page and POSTs count one view each.
    viewsCounted += await countTrue([
      ...Array.from({ length: DISTINCT_PAGES }, (_, i) => request('POST', `/api/views/page-${i}`, true)),
      ...Array.from({ length: 20 }, (_, i) => request('GET', `/api/views/page-${i}`, false)),
      request('GET', '/', true),
      request('GET', '/', true, 200, { Accept: 'application/json' }),
      request('GET', '/api/views?limit=5', false),
      request('GET', '/nowhere/at/all', false, 404),
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

  it('promtool check metrics has nothing to say about the live /metrics page', async () => {
    const response = await fetch(`${service?.metricsUrl}/metrics`);
    expect(response.status).to.equal(200);
    const result = await runPromtool(['check', 'metrics'], await response.text());
    expect({ code: result.code, output: result.stdout + result.stderr }).to.deep.equal({ code: 0, output: '' });
  });

  describe('while Redis is away', () => {
    let duringOutage = 0;

    before(async () => {
      await redis?.stop();
      // Two bursts with a scrape between them: the 503 series is new, and rate() only sees increases
      // between samples. Nothing may be counted while the store is away.
      const failing = (n: number): (() => Promise<boolean>)[] =>
        Array.from({ length: n }, (_, i) => request('POST', `/api/views/outage-${i}`, true, 503));
      await countTrue(failing(5));
      await scrapedAfter(nowSeconds());
      await countTrue(failing(60));
      duringOutage = await scrapedAfter(nowSeconds());
    });

    it('shows the store down and the service not ready', async () => {
      const value = async (expr: string): Promise<string[]> =>
        waitFor(`${expr} to be 0`, async () => {
          const samples = await prom().query(expr);
          return samples.length === 1 && samples[0]?.value[1] === '0' ? ['0'] : undefined;
        }, 20_000, 250);
      expect(await value(`page_tracker_store_up{job="${JOB}"}`)).to.deep.equal(['0']);
      expect(await value(`page_tracker_ready{job="${JOB}"}`)).to.deep.equal(['0']);
    });

    it('puts the Redis, readiness and error-ratio alerts in pending on real series, and not PageTrackerDown', async () => {
      const expected = {
        PageTrackerRedisUnavailable: 'pending',
        PageTrackerRedisErrors: 'pending',
        PageTrackerNotReady: 'pending',
        PageTrackerErrorRatioHigh: 'pending',
      };
      const states = await waitFor(
        'the alerts to go pending',
        async () => {
          const now = await alertStates();
          return Object.keys(expected).every((name) => now[name] !== undefined) ? now : undefined;
        },
        20_000,
        250,
      );
      // p99 latency depends on how busy the machine is, not on Redis: it is left out of the comparison.
      delete states.PageTrackerLatencyP99High;
      expect(states).to.deep.equal(expected);
    });

    it('runs every dashboard query, and every panel has data', async () => {
      const empty: string[] = [];
      for (const query of dashboardQueries()) {
        const expr = substituteGrafanaVariables(query.expr, '1m', { job: JOB, instance: '.*' });
        if ((await prom().query(expr, duringOutage)).length === 0) empty.push(`${query.where}: ${expr}`);
      }
      expect(empty).to.deep.equal([]);
    });
  });

  describe('when the service is gone', () => {
    before(async () => {
      await service?.stop();
    });

    it('puts PageTrackerDown in pending for a job whose name does not say page-tracker', async () => {
      const state = await waitFor('PageTrackerDown to go pending', async () => (await alertStates()).PageTrackerDown, 20_000, 250);
      expect(state).to.equal('pending');
    });
  });
});
