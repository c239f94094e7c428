import type { DefaultContext, ParameterizedContext } from 'koa';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import type { ViewStore } from './store/view-store.js';
import type { BuildInfo } from './version.js';
import type { VisitorIds } from './visitor.js';

// What createApp needs, passed in so that tests build a fresh app per case.
export interface AppDeps {
  store: ViewStore;
  metrics: Metrics;
  logger: Logger;
  config: Pick<Config, 'trustProxy' | 'pagePattern'>;
  visitors: VisitorIds;
  readiness: Readiness;
  build: BuildInfo;
}

export interface AppState {
  requestId: string;
}

export type AppContext = ParameterizedContext<AppState, DefaultContext>;
