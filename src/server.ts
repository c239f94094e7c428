// Entry point: reads config, wires the parts together, listens, and owns signals and shutdown.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { createApp } from './app.js';
import { ConfigError, defaultLogFormat, loadConfig, redactRedisUrl, type Config } from './config.js';
import { createHttpServer } from './http-server.js';
import { listen, urlOf } from './listen.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createMetricsServer } from './metrics-server.js';
import { Readiness } from './readiness.js';
import { shutDown } from './shutdown.js';
import { MemoryStore } from './store/memory.js';
import { RedisStore, type RedisTarget } from './store/redis.js';
import { NEW_PAGES_WINDOW_MS, VIEWS_WINDOW_MS, type ViewBudget, type ViewStore } from './store/view-store.js';
import { readBuildInfo } from './version.js';
import { countsVisitors, visitorIdentity, type VisitorIdentity } from './visitor.js';
import type { Metrics } from './metrics.js';

function exitAfterFlush(logger: Logger, code: number): void {
  logger.flush(() => process.exit(code));
}

function budgetOf(config: Config): ViewBudget {
  return {
    viewsPerWindow: config.rateLimitViewsPerMinute,
    viewsWindowMs: VIEWS_WINDOW_MS,
    newPagesPerWindow: config.newPagesPerClientPerHour,
    newPagesWindowMs: NEW_PAGES_WINDOW_MS,
  };
}

/** How the configuration reaches Redis; undefined: no Redis configured (config.ts allows at most one way). */
function redisTarget(config: Config): { target: RedisTarget; described: Record<string, unknown> } | undefined {
  if (config.redisSentinel !== undefined) {
    const { sentinels, name, password } = config.redisSentinel;
    return {
      target: { sentinel: config.redisSentinel },
      described: { redisSentinels: sentinels.map(({ host, port }) => `${host}:${port}`), redisSentinelName: name, sentinelPassword: password !== undefined },
    };
  }
  if (config.redisClusterNodes !== undefined) {
    return { target: { clusterNodes: config.redisClusterNodes }, described: { redisClusterNodes: config.redisClusterNodes.map(({ host, port }) => `${host}:${port}`) } };
  }
  if (config.redisUrl !== undefined) return { target: { url: config.redisUrl }, described: { redisUrl: redactRedisUrl(config.redisUrl) } };
  return undefined;
}

function createStore(config: Config, metrics: Metrics, logger: Logger): ViewStore {
  const redis = redisTarget(config);
  if (redis === undefined) {
    logger.warn(
      'REDIS_URL is not set: counting in memory. EVERY COUNT IS LOST WHEN THE PROCESS STOPS, and replicas do not share counts. Set REDIS_URL for real use.',
    );
    return new MemoryStore({ maxPages: config.maxPages, budget: budgetOf(config), retentionDays: config.viewRetentionDays, countVisitors: countsVisitors(config.visitorMode) });
  }
  logger.info({ ...redis.described, redisUsername: config.redisUsername, passwordFromEnv: config.redisPassword !== undefined, minReplicasAck: config.redisMinReplicasAck }, 'using the Redis store');
  return new RedisStore({
    ...redis.target,
    username: config.redisUsername,
    password: config.redisPassword,
    keyPrefix: config.redisKeyPrefix,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    maxPages: config.maxPages,
    budget: budgetOf(config),
    minReplicasAck: config.redisMinReplicasAck,
    replicasAckTimeoutMs: config.redisReplicasAckTimeoutMs,
    retentionDays: config.viewRetentionDays,
    countVisitors: countsVisitors(config.visitorMode),
    metrics,
    logger,
  });
}

/** Without VISITOR_SECRET, `npm start` still works, but each process signs with its own key: say what that costs. */
function visitorIds(config: Config, logger: Logger, store: ViewStore): VisitorIdentity {
  return visitorIdentity(config.visitorMode, store, Date.now, () => {
    if (config.visitorSecret !== undefined) return config.visitorSecret;
    logger.warn(
      'VISITOR_SECRET is not set: visitor cookies are signed with a key made for this process, so every visitor counts as new after a restart and on every other replica. Set VISITOR_SECRET (the chart does) for real use.',
    );
    return randomBytes(32).toString('base64url');
  });
}

const terminal = { stdoutIsTerminal: process.stdout.isTTY === true };

/** Start-up failures are log lines like any other (same format, ISO time), naming the variable to change. */
function refuseToStart(logger: Logger, error: unknown): void {
  if (error instanceof ConfigError) {
    logger.fatal({ variable: error.variable }, `invalid configuration: ${error.message}`);
  } else {
    logger.fatal({ err: error }, `page-tracker failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
  exitAfterFlush(logger, 1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, terminal);
  } catch (error) {
    // LOG_FORMAT itself may be what is wrong: this line uses the format chosen for the terminal.
    refuseToStart(createLogger('info', defaultLogFormat(terminal)), error);
    return;
  }

  const logger = createLogger(config.logLevel, config.logFormat);
  try {
    await serve(config, logger);
  } catch (error) {
    refuseToStart(logger, error);
  }
}

async function serve(config: Config, logger: Logger): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection: exiting, the process state is unknown');
    exitAfterFlush(logger, 1);
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: exiting, the process state is unknown');
    exitAfterFlush(logger, 1);
  });

  const build = readBuildInfo();
  const metrics = createMetrics(build);
  const store = createStore(config, metrics, logger);
  const readiness = new Readiness(store, metrics);
  readiness.start();
  const app = createApp({ store, metrics, logger, config, readiness, build, visitors: visitorIds(config, logger, store), now: Date.now });
  const server = createHttpServer(app.callback());
  const metricsServer = createMetricsServer(metrics, { store, token: config.adminToken, retentionDays: config.viewRetentionDays, now: Date.now, logger });
  const bound = await listen(server, config.port, config.host, 'PORT');
  const metricsBound = await listen(metricsServer, config.metricsPort, config.host, 'METRICS_PORT');
  // The real ports (PORT=0 lets the system choose) and a URL to open, for the person who just ran npm start.
  const url = urlOf(bound);
  const metricsUrl = urlOf(metricsBound, '/metrics');
  logger.info(
    { version: build.version, commit: build.commit, url, metricsUrl, host: config.host, port: bound.port, metricsPort: metricsBound.port, store: store.kind },
    `page-tracker listening on ${url} (metrics on ${metricsUrl})`,
  );

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C (or a second SIGTERM from an impatient supervisor) means "stop now": waiting out the
      // shutdown delay or the drain would leave the operator with a process that ignores them.
      const exitCode = 128 + constants.signals[signal];
      logger.error({ signal, exitCode }, `second ${signal} during shutdown: exiting now without draining`);
      exitAfterFlush(logger, exitCode);
      return;
    }
    stopping = true;
    shutDown(
      { server, metricsServer, store, readiness, logger, delaySeconds: config.shutdownDelaySeconds, timeoutSeconds: config.shutdownTimeoutSeconds },
      signal,
    ).then(
      (code) => exitAfterFlush(logger, code),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exitAfterFlush(logger, 1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

void main();
