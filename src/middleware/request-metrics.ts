import type { Next } from 'koa';
import type { AppContext, AppDeps } from '../context.js';
import { routeOf } from './route-of.js';

/** http_requests_in_flight and the latency histogram, labelled by route template so label values stay bounded. */
export function requestMetrics({ metrics }: AppDeps) {
  return async function measureRequest(ctx: AppContext, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    metrics.inFlight.count += 1;
    try {
      await next();
    } finally {
      metrics.inFlight.count -= 1;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequestDuration.observe({ method: ctx.method, route: routeOf(ctx), status_code: ctx.status }, seconds);
    }
  };
}
