import { spawn, type ChildProcess } from 'node:child_process';
import { builtServer, coverageEnv } from './built-server.js';
import { freePort } from './ports.js';
import { exited, track, waitFor } from './processes.js';

export interface RunningService {
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Captured stdout lines so far (JSON log lines). */
  logs(): string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends the signal (default SIGTERM) and resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * For a service under a load generator: every request comes from 127.0.0.1, one client to the abuse budget,
 * so its defaults would refuse most of the load. Limits no load reaches keep the budget's work (its counters in
 * the view write) in what is measured, without a refusal.
 */
export const ONE_CLIENT_LOAD_ENV = { RATE_LIMIT_VIEWS_PER_MINUTE: '1000000000', NEW_PAGES_PER_CLIENT_PER_HOUR: '1000000000' } as const;

/**
 * Spawns the built service (node dist/server.js) on free 127.0.0.1 ports and waits for /healthz.
 * Only PATH (and coverageEnv()) and the given env are passed, so the caller's environment cannot leak in.
 */
export interface StartServiceOptions {
  env?: Record<string, string>;
  /** 'ignore' sends the log lines to /dev/null (benchmarks: no parsing in the measuring process). */
  stdout?: 'capture' | 'ignore';
}

export async function startService(options: StartServiceOptions = {}): Promise<RunningService> {
  // A port freePort() found can be taken by someone else's client socket before the service binds it.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServiceOnce(options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startServiceOnce(options: StartServiceOptions): Promise<RunningService> {
  const serverJs = builtServer();
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [serverJs], {
    env: { ...coverageEnv(), PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(metricsPort), ...options.env },
    stdio: ['ignore', options.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
  });
  track(child);
  const lines: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const baseUrl = `http://127.0.0.1:${port}`;
  const service: RunningService = {
    baseUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    pid: child.pid ?? -1,
    process: child,
    logs: () => (partial === '' ? [...lines] : [...lines, partial]),
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return done;
    },
  };
  const healthy = waitFor(
    'the service to answer /healthz',
    async () => ((await fetch(`${baseUrl}/healthz`)).ok ? true : undefined),
    10_000,
  );
  const exitedEarly = exited(child).then((code) => {
    throw new Error(`the service exited with code ${code} before answering /healthz`);
  });
  try {
    await Promise.race([healthy, exitedEarly]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\nstdout:\n${service.logs().join('\n')}\nstderr:\n${stderr}`, { cause: error });
  }
  exitedEarly.catch(() => undefined);
  healthy.catch(() => undefined);
  return service;
}
