import type { Next } from 'koa';
import type { AppContext, AppDeps } from '../context.js';
import { routeOf } from './route-of.js';

/** One log line per request, written when its answer is known (errors included: mapErrors sits inside). */
export function accessLog({ logger, config }: AppDeps) {
  // Without cookies the address is part of what identifies a visitor, so it is not logged (docs/api.md, Visitors without cookies).
  const logsAddress = config.visitorMode !== 'cookieless';
  return async function logRequest(ctx: AppContext, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      logger.info(
        { reqId: ctx.state.requestId, method: ctx.method, path: ctx.path, route: routeOf(ctx), status: ctx.status, ms, ...(logsAddress ? { ip: ctx.ip } : {}) },
        'request',
      );
    }
  };
}
