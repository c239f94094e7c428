// A rename in src/metrics.ts must not silently blank a dashboard panel or disarm an alert: every metric the
// rule file and the dashboard read has to be on the service's /metrics page.
import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '../../src/metrics.js';
import { createMetricsServer } from '../../src/metrics-server.js';
import { exposedMetricNames, metricNamesIn, unknownMetricNames } from '../support/metric-names.js';
import { dashboardQueries, readRuleGroups, substituteGrafanaVariables } from '../support/monitoring-files.js';

const rules = readRuleGroups().flatMap((group) => group.rules);
const recorded = new Set(rules.flatMap((rule) => (rule.record === undefined ? [] : [rule.record])));
const ruleExprs = rules.map((rule) => rule.expr);
const dashboardExprs = dashboardQueries().map((query) => substituteGrafanaVariables(query.expr, '1m', { job: '.*', instance: '.*' }));

describe('metric names in the rule file and the dashboard', () => {
  let exposition: string;

  before(async () => {
    // The service's own registry behind its own admin server, scraped over HTTP like Prometheus does.
    const server: Server = createMetricsServer(createMetrics({ version: '0.0.0-test' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).to.equal(200);
      exposition = await response.text();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('finds the metrics the rules are about (so an empty parse cannot pass)', () => {
    const used = new Set(ruleExprs.flatMap(metricNamesIn));
    expect([...used]).to.include.members([
      'up',
      'page_tracker_build_info',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'page_tracker_store_up',
      'page_tracker_redis_errors_total',
      'page_tracker_ready',
    ]);
  });

  it('every metric a rule reads is exported by the service, recorded by a rule, or written by Prometheus', () => {
    expect(unknownMetricNames(ruleExprs, exposedMetricNames(exposition), recorded)).to.deep.equal([]);
  });

  it('every metric a dashboard panel or variable reads is exported by the service', () => {
    expect(dashboardExprs.length).to.be.greaterThan(10);
    const used = new Set(dashboardExprs.flatMap(metricNamesIn));
    expect([...used]).to.include.members(['page_tracker_views_total', 'page_tracker_redis_command_duration_seconds_bucket']);
    expect(unknownMetricNames(dashboardExprs, exposedMetricNames(exposition))).to.deep.equal([]);
  });

  it('reports a metric the service no longer exports', () => {
    const renamed = exposition.replaceAll('page_tracker_store_up', 'page_tracker_store_alive');
    expect(unknownMetricNames(ruleExprs, exposedMetricNames(renamed), recorded)).to.deep.equal(['page_tracker_store_up']);
  });

  it('knows the series of a histogram that has seen no observation yet from its TYPE line', () => {
    const names = exposedMetricNames('# HELP h_seconds latency\n# TYPE h_seconds histogram\n# TYPE c_total counter\n');
    expect([...names].sort()).to.deep.equal(['c_total', 'h_seconds_bucket', 'h_seconds_count', 'h_seconds_sum']);
  });

  it('refuses a query that does not parse instead of finding no names in it', () => {
    expect(() => metricNamesIn('sum(rate(http_requests_total[5m])')).to.throw(/does not parse/);
  });
});
