import type { DefaultContext, ParameterizedContext } from 'koa';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import type { ViewStore } from './store/view-store.js';
import type { BuildInfo } from './version.js';
import type { VisitorIdentity } from './visitor.js';

// What createApp needs, passed in so that tests build a fresh app per case.
export interface AppDeps {
  store: ViewStore;
  metrics: Metrics;
  logger: Logger;
  config: Pick<Config, 'trustProxy' | 'allowedOrigins' | 'pagePattern' | 'ignoreBots' | 'respectDnt' | 'visitorMode'>;
  visitors: VisitorIdentity;
  readiness: Readiness;
  build: BuildInfo;
  /** The clock "today" is read from for the per-day routes, in ms since the epoch: the store's, so both agree on the UTC day. */
  now: () => number;
}

export interface AppState {
  requestId: string;
  /** Set for a request from a page on another site in ALLOWED_ORIGINS (src/origin.ts). */
  crossSite?: boolean;
}

export type AppContext = ParameterizedContext<AppState, DefaultContext>;
