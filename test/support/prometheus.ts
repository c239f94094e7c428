// A real Prometheus server for tests: Debian's `prometheus` binary, a config written to a temp dir, TSDB
// storage in the same temp dir, listening on 127.0.0.1 only. The caller stops it (by pid) with stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from './find-on-path.js';
import { freePort } from './ports.js';
import { exited as exitOf, track, waitFor } from './processes.js';

export interface PrometheusOptions {
  /** host:port pairs scraped at /metrics by one job. */
  targets: string[];
  /** Defaults to "page-tracker", like the job of the chart's ServiceMonitor. */
  jobName?: string;
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval; defaults to 1s so tests do not wait long. */
  interval?: string;
}

export interface Sample {
  metric: Record<string, string>;
  /** [unix seconds, value as Prometheus prints it ("NaN", "+Inf", "1.5")] */
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  pid: number;
  dir: string;
  /** GET an API path (e.g. "/api/v1/rules") and return `data`, throwing on an error answer. */
  api<T>(path: string, params?: Record<string, string>): Promise<T>;
  /** Instant query; `time` in unix seconds (default: now). Throws on a query error. */
  query(expr: string, time?: number): Promise<Sample[]>;
  /** Everything the server printed, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = findOnPath('prometheus', 'prometheus');
  const dir = await mkdtemp(join(tmpdir(), 'page-tracker-prometheus-'));
  const interval = options.interval ?? '1s';
  // JSON is YAML, so the config needs no YAML writer.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [
      { job_name: options.jobName ?? 'page-tracker', static_configs: [{ targets: options.targets }] },
    ],
  };
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, JSON.stringify(config, null, 2));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  track(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = exitOf(child);

  const stop = async (): Promise<void> => {
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitReady(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const response = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`);
    const answer = (await response.json()) as ApiAnswer<T>;
    if (answer.status !== 'success') {
      throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${answer.errorType}: ${answer.error}`);
    }
    return answer.data;
  };

  return {
    url,
    pid: child.pid ?? -1,
    dir,
    api,
    async query(expr, time) {
      const params: Record<string, string> = { query: expr };
      if (time !== undefined) params.time = time.toFixed(3);
      const data = await api<{ resultType: string; result: Sample[] }>('/api/v1/query', params);
      if (data.resultType !== 'vector') throw new Error(`expected a vector from ${expr}, got ${data.resultType}`);
      return data.result;
    },
    logs: () => output,
    stop,
  };
}

async function waitReady(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  try {
    await waitFor(
      `prometheus to answer ${url}/-/ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}`);
        return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
      },
      READY_TIMEOUT_MS,
      100,
    );
  } catch (error) {
    throw new Error(`${String(error)}\n${logs()}`, { cause: error });
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  process.kill(child.pid, 'SIGTERM');
  // Prometheus flushes its head block on SIGTERM; on a busy machine that can take a while, but not forever.
  const killTimer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(killTimer);
}
