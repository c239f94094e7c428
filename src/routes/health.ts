import type { Router } from '@koa/router';
import type { AppContext, AppDeps } from '../context.js';

export function healthRoutes(router: Router, { readiness }: AppDeps): void {
  // Liveness says only that the process serves: restarting it would not bring Redis back.
  router.get('/healthz', '/healthz', (ctx: AppContext) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', '/readyz', (ctx: AppContext) => {
    const state = readiness.state();
    ctx.set('Cache-Control', 'no-store');
    ctx.status = state.ready ? 200 : 503;
    ctx.body = state.ready ? { status: 'ready' } : { status: 'not ready', reason: state.reason };
  });
}
