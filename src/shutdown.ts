import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';
import type { Readiness } from './readiness.js';
import type { ViewStore } from './store/view-store.js';

interface ShutdownParts {
  server: Server;
  metricsServer: Server;
  store: ViewStore;
  readiness: Readiness;
  logger: Logger;
  delaySeconds: number;
  timeoutSeconds: number;
}

function closed(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * The order Kubernetes needs: fail readiness first, wait for endpoints to drop us, then stop
 * accepting and let in-flight requests finish (bounded), then release Redis. Resolves the exit code.
 */
export async function shutDown(parts: ShutdownParts, signal: string): Promise<number> {
  const { server, metricsServer, store, readiness, logger } = parts;
  readiness.beginShutdown();
  logger.info({ signal, delaySeconds: parts.delaySeconds, timeoutSeconds: parts.timeoutSeconds }, 'shutdown started: readiness now fails');
  await sleep(parts.delaySeconds * 1000);

  logger.info('no longer accepting connections; draining in-flight requests');
  const drained = closed(server);
  // Idle keep-alive sockets would hold close() open; busy ones get "Connection: close" on their last answer.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  let forced = false;
  const deadline = sleep(parts.timeoutSeconds * 1000, undefined, { ref: false }).then(() => {
    forced = true;
  });
  await Promise.race([drained, deadline]);
  clearInterval(sweeper);
  if (forced) {
    logger.warn({ timeoutSeconds: parts.timeoutSeconds }, 'in-flight requests did not finish in time; closing their connections');
    server.closeAllConnections();
  }

  readiness.stop();
  await store.close();
  const metricsClosed = closed(metricsServer);
  metricsServer.closeAllConnections();
  await metricsClosed;
  logger.info({ forced }, 'shutdown complete');
  return forced ? 1 : 0;
}
