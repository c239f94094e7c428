import { hostname } from 'node:os';
import type { Router } from '@koa/router';
import type { AppContext, AppDeps } from '../context.js';
import { OPENAPI_DOCUMENT } from '../openapi.js';

/** Which build runs, and which process (in Kubernetes the host name is the pod's name) answered. */
export function aboutRoutes(router: Router, { build, store }: AppDeps): void {
  const host = hostname();
  router.get('/version', '/version', (ctx: AppContext) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = build;
  });
  // Serialised once: the document is fixed for the life of the process.
  const openapi = JSON.stringify(OPENAPI_DOCUMENT);
  router.get('/openapi.json', '/openapi.json', (ctx: AppContext) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'json';
    ctx.body = openapi;
  });
  router.get('/api/info', '/api/info', (ctx: AppContext) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { hostname: host, version: build.version, store: store.kind, uptimeSeconds: Math.floor(process.uptime()) };
  });
}
