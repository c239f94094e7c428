import { waitFor } from './processes.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService, type RunningService } from './service.js';

export function untilReady(service: RunningService, timeoutMs = 10_000): Promise<true> {
  return waitFor('the service to be ready', async () => ((await fetch(`${service.baseUrl}/readyz`)).ok ? true : undefined), timeoutMs);
}

/** The service's request log lines (JSON), by request id. */
export function requestLogLines(service: RunningService): Map<string, { status: number; ip: string }> {
  const byId = new Map<string, { status: number; ip: string }>();
  for (const line of service.logs()) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; reqId?: string; status?: number; ip?: string };
    if (entry.msg === 'request' && entry.reqId !== undefined) byId.set(entry.reqId, { status: entry.status ?? 0, ip: entry.ip ?? '' });
  }
  return byId;
}

/** Signs that the process died or nearly did: it exited, or logged an uncaught error. */
export function crashSigns(service: RunningService): string[] {
  const signs: string[] = [];
  if (service.process.exitCode !== null || service.process.signalCode !== null) signs.push(`exited (${service.process.exitCode ?? service.process.signalCode})`);
  signs.push(...service.logs().filter((line) => /unhandled|uncaught|"level":"(fatal|error)"/i.test(line)));
  return signs;
}

export interface ServiceOnRedis {
  redis: RedisServer;
  service: RunningService;
}

/**
 * Registers mocha hooks for a describe block: a private redis-server and the built service on it, ready
 * before the first test and killed after the last. Read the fields inside tests, once the hooks have run.
 */
export function useServiceOnRedis(): ServiceOnRedis {
  const stack = {} as ServiceOnRedis;
  before(async () => {
    stack.redis = await startRedis();
    stack.service = await startService({ env: { REDIS_URL: stack.redis.url, LOG_LEVEL: 'warn', ...ONE_CLIENT_LOAD_ENV } });
    await untilReady(stack.service);
  });
  after(async () => {
    await stack.service?.stop('SIGKILL');
    await stack.redis?.cleanup();
  });
  return stack;
}
