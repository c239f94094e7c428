import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Why a view was answered without being counted (page_tracker_views_dropped_total{reason}). Each request that
 * reaches a counting route and is not counted for one of these increments the counter once; errors (a bad
 * page name, Redis unavailable) are not drops and show in http_request_duration_seconds instead.
 */
const DROPPED_VIEW_REASONS = ['prefetch', 'bot', 'do_not_track', 'rate_limited', 'page_limit', 'duplicate', 'key_reused', 'pattern_refused', 'origin_refused'] as const;
export type DroppedViewReason = (typeof DROPPED_VIEW_REASONS)[number];

// Every metric the service exposes, in one place (the Monitoring table of docs/operations.md is the contract).
export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Plain counter behind http_requests_in_flight, read at scrape time: cheaper than a gauge update per request. */
  inFlight: { count: number };
  viewsTotal: Counter;
  viewsDropped: Counter<'reason'>;
  redisCommandDuration: Histogram<'command'>;
  redisErrors: Counter<'command'>;
  storeUp: Gauge;
  ready: Gauge;
}

export function createMetrics(build: { version: string }): Metrics {
  // A fresh registry per instance (never the global one) so tests can build many apps side by side.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these three gauges *_total, which Prometheus reserves for counters (promtool
  // check metrics flags them). Their labelled siblings (nodejs_active_handles{type}, ...) carry the same
  // figures, so dropping the totals loses nothing and keeps the exposition lint-clean.
  for (const misnamed of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(misnamed);
  }

  const buildInfo = new Gauge({
    name: 'page_tracker_build_info',
    help: 'Always 1; labels say which build is running',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  });
  buildInfo.set({ version: build.version, node_version: process.version }, 1);

  const inFlight = { count: 0 };
  new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests being served now',
    registers: [registry],
    collect() {
      this.set(inFlight.count);
    },
  });

  return {
    registry,
    inFlight,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency; route is the route template, never the raw path',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    viewsTotal: new Counter({
      name: 'page_tracker_views_total',
      help: 'Page views counted (written to the store)',
      registers: [registry],
    }),
    viewsDropped: droppedViews(registry),
    redisCommandDuration: new Histogram({
      name: 'page_tracker_redis_command_duration_seconds',
      help: 'Latency of each store operation against Redis',
      labelNames: ['command'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: 'page_tracker_redis_errors_total',
      help: 'Store operations against Redis that failed',
      labelNames: ['command'],
      registers: [registry],
    }),
    storeUp: new Gauge({
      name: 'page_tracker_store_up',
      help: '1 when the store answered its last ping, else 0',
      registers: [registry],
    }),
    ready: new Gauge({
      name: 'page_tracker_ready',
      help: '1 while /readyz answers 200',
      registers: [registry],
    }),
  };
}

function droppedViews(registry: Registry): Counter<'reason'> {
  const counter = new Counter({
    name: 'page_tracker_views_dropped_total',
    help: 'Requests to a counting route answered without counting a view, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Every reason from the start, at 0: a rate() over a series that appears only with its first drop misses that drop.
  for (const reason of DROPPED_VIEW_REASONS) counter.inc({ reason }, 0);
  return counter;
}
