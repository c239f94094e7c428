import { randomUUID } from 'node:crypto';
import type { Next } from 'koa';
import type { AppContext, AppDeps } from '../context.js';
import { SAFE_TOKEN } from '../safe-token.js';

interface RoutedContext {
  _matchedRouteName?: string;
}

/** Outermost middleware: request id, one log line and the latency histogram per request. */
export function observe({ logger, metrics, readiness, config }: AppDeps) {
  const logsAddress = config.visitorMode !== 'cookieless';
  return async function observeRequest(ctx: AppContext, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    const offered = ctx.get('X-Request-Id');
    // Anything else in X-Request-Id is replaced: it ends up in log lines and response headers.
    const requestId = SAFE_TOKEN.test(offered) ? offered : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    ctx.set('X-Content-Type-Options', 'nosniff');
    // A link or request from our pages tells the next site nothing: not the page, not that it was ours.
    ctx.set('Referrer-Policy', 'no-referrer');
    // While draining, tell keep-alive clients to reconnect elsewhere.
    if (readiness.shuttingDown) ctx.set('Connection', 'close');
    metrics.inFlight.count += 1;
    try {
      await next();
    } finally {
      metrics.inFlight.count -= 1;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The route template keeps label values bounded; unmatched paths share one value.
      const route = (ctx as RoutedContext)._matchedRouteName ?? 'unmatched';
      metrics.httpRequestDuration.observe({ method: ctx.method, route, status_code: ctx.status }, seconds);
      logger.info(
        // Without cookies the address is part of what identifies a visitor, so it is not logged (docs/api.md, Visitors without cookies).
        { reqId: requestId, method: ctx.method, path: ctx.path, route, status: ctx.status, ms: Math.round(seconds * 1e4) / 10, ...(logsAddress ? { ip: ctx.ip } : {}) },
        'request',
      );
    }
  };
}
