import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { createHttpServer } from '../../src/http-server.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { Readiness } from '../../src/readiness.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { ViewStore } from '../../src/store/view-store.js';
import { readBuildInfo } from '../../src/version.js';
import type { VisitorMode } from '../../src/config.js';
import { countsVisitors, visitorIdentity } from '../../src/visitor.js';
import { memoryLogger } from './silent-logger.js';

export interface AppHarness {
  baseUrl: string;
  metrics: Metrics;
  readiness: Readiness;
  logLines: () => Array<Record<string, unknown>>;
  close: () => Promise<void>;
}

/** The key the harness signs visitor cookies with, so that a test can sign (or forge) one itself. */
export const HARNESS_VISITOR_SECRET = 'harness-visitor-secret-of-32-chars!';

export interface AppOptions {
  trustProxy?: boolean;
  maxPages?: number;
  store?: ViewStore;
  pagePattern?: RegExp;
  allowedOrigins?: string[];
  ignoreBots?: boolean;
  visitorMode?: VisitorMode;
  respectDnt?: boolean;
  /** The app's clock; give the store the same one. Date.now unless given. */
  now?: () => number;
}

/** The real app in-process on an OS-chosen 127.0.0.1 port, on the in-memory store unless one is given. */
export async function startApp(options: AppOptions = {}): Promise<AppHarness> {
  const visitorMode = options.visitorMode ?? 'cookie';
  const store = options.store ?? new MemoryStore({ maxPages: options.maxPages ?? 100, countVisitors: countsVisitors(visitorMode) });
  const metrics = createMetrics({ version: 'test' });
  const { logger, lines } = memoryLogger();
  const readiness = new Readiness(store, metrics);
  readiness.start();
  const app = createApp({
    store,
    metrics,
    logger,
    readiness,
    build: readBuildInfo(),
    config: { trustProxy: options.trustProxy ?? false, allowedOrigins: options.allowedOrigins ?? [], pagePattern: options.pagePattern, ignoreBots: options.ignoreBots ?? false, respectDnt: options.respectDnt ?? false, visitorMode },
    visitors: visitorIdentity(visitorMode, store, options.now ?? Date.now, () => HARNESS_VISITOR_SECRET),
    now: options.now ?? Date.now,
  });
  const server: Server = createHttpServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    metrics,
    readiness,
    logLines: lines,
    async close() {
      readiness.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}
