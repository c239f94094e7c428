import { Router } from '@koa/router';
import Koa from 'koa';
import type { AppDeps, AppState } from './context.js';
import { accessLog } from './middleware/access-log.js';
import { closeWhileDraining } from './middleware/close-while-draining.js';
import { mapErrors } from './middleware/errors.js';
import { refuseLargeBodies } from './middleware/refuse-large-bodies.js';
import { requestId } from './middleware/request-id.js';
import { requestMetrics } from './middleware/request-metrics.js';
import { safetyHeaders } from './middleware/safety-headers.js';
import { crossOrigin } from './origin.js';
import { aboutRoutes } from './routes/about.js';
import { badgeRoutes } from './routes/badge.js';
import { embedRoutes } from './routes/embed.js';
import { healthRoutes } from './routes/health.js';
import { homeRoutes } from './routes/home.js';
import { viewRoutes } from './routes/views.js';

export function createApp(deps: AppDeps): Koa<AppState> {
  // maxIpsCount 1: the client address is the rightmost X-Forwarded-For entry, the one our ingress itself
  // saw. Proxies that append (nginx's $proxy_add_x_forwarded_for, Traefik) keep whatever the client sent to
  // its left, so reading further left would let any visitor choose the address we log.
  const app = new Koa<AppState>({ proxy: deps.config.trustProxy, maxIpsCount: 1 });
  const router = new Router<AppState>();
  homeRoutes(router, deps);
  viewRoutes(router, deps);
  healthRoutes(router, deps);
  aboutRoutes(router, deps);
  embedRoutes(router);
  badgeRoutes(router, deps);
  // Outermost first: the request id, log line and metrics see every answer, errors included, which
  // mapErrors has made into an answer by the time they look.
  app.use(requestId);
  app.use(accessLog(deps));
  app.use(requestMetrics(deps));
  app.use(safetyHeaders);
  app.use(closeWhileDraining(deps));
  app.use(mapErrors(deps));
  app.use(refuseLargeBodies);
  app.use(crossOrigin(deps.config.allowedOrigins, deps.metrics));
  app.use(router.routes());
  app.use(router.allowedMethods());
  // mapErrors answers everything; this only sees errors from writing a response, e.g. a client gone.
  app.on('error', (error: Error) => deps.logger.debug({ err: error.message }, 'response error'));
  return app;
}
