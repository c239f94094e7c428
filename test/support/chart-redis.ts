// Runs the chart's own Redis container as rendered, with a real redis-server: its start-up script, redis.conf,
// ACL file and probe commands, with the pod's paths pointed at a temp dir and its port at a free one on
// 127.0.0.1. Everything else is the text the chart renders, so what these tests check is what a pod runs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { renderChart } from './chart.js';
import { findOnPath } from './find-on-path.js';
import { oneOf } from './kube-typed.js';
import type { KubeObject } from './kube-object.js';
import { freePort } from './ports.js';
import { exited, track } from './processes.js';

const run = promisify(execFile);

export interface ChartRedisPasswords {
  /** The app user's password (the Secret's redis-password). */
  app: string;
  probe: string;
  exporter: string;
}

export interface RenderedRedis {
  objects: KubeObject[];
  conf: string;
  acl: string;
  script: string;
  probes: { startup: string; liveness: string; readiness: string };
  /** The app's ACL user name, as the Deployment passes it in REDIS_USERNAME. */
  appUser: string;
  /** The Redis container's limits.memory, e.g. 256Mi. */
  memoryLimit: string;
}

export interface ChartRedis {
  readonly rendered: RenderedRedis;
  readonly dir: string;
  readonly port: number;
  /** redis://127.0.0.1:PORT, without credentials. */
  readonly url: string;
  /** Runs one of the rendered probe scripts with the probe password the pod's REDISCLI_AUTH holds (or `auth`). */
  probe(script: string, auth?: string): Promise<boolean>;
  /** redis-cli against it as `user` (or with no user name at all), printing the reply or the error. */
  cli(user: string | undefined, password: string | undefined, ...args: string[]): Promise<string>;
  logs(): string;
  /** Stops Redis (SIGTERM: it writes its AOF) and starts the container's script again on the same data and port, as a pod restart does. */
  restart(options?: ChartRedisOptions): Promise<void>;
  stop(): Promise<void>;
}

/** Renders the chart with these values (a values file, not --set: --set would split a password at its commas). */
export async function renderRedis(values: Record<string, unknown>): Promise<RenderedRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chart-values-'));
  try {
    const valuesFile = path.join(dir, 'values.yaml');
    await writeFile(valuesFile, stringify(values));
    const objects = await renderChart({ valuesFiles: [valuesFile] });
    const container = oneOf(objects, 'StatefulSet', 'page-tracker-redis').spec?.template.spec?.containers.find((c) => c.name === 'redis');
    const probeScript = (cmd: string[] | undefined): string => {
      if (cmd?.[0] !== '/bin/sh' || cmd[1] !== '-c' || !cmd[2]) throw new Error(`unexpected probe command ${JSON.stringify(cmd)}`);
      return cmd[2];
    };
    const configMap = oneOf(objects, 'ConfigMap', 'page-tracker-redis');
    const appEnv = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
    return {
      objects,
      conf: configMap.data?.['redis.conf'] ?? '',
      acl: configMap.data?.['users.acl'] ?? '',
      script: container?.args?.[0] ?? '',
      probes: {
        startup: probeScript(container?.startupProbe?.exec?.command),
        liveness: probeScript(container?.livenessProbe?.exec?.command),
        readiness: probeScript(container?.readinessProbe?.exec?.command),
      },
      appUser: appEnv.find((e) => e.name === 'REDIS_USERNAME')?.value ?? '',
      memoryLimit: String(container?.resources?.limits?.memory ?? ''),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where a rendered Redis pod runs on this machine: a temp dir for its volumes, an address and a Redis port. */
export interface LocalPlace {
  dir: string;
  host: string;
  port: number;
}

/**
 * A pod's file or script as it runs here: the pod's volumes (/run/redis, /run/sentinel, /etc/redis, /data,
 * Sentinel's /tmp) moved under `dir`, Redis and its Sentinel bound to `host` instead of every interface, the
 * Redis port moved to `port`, and the probes pointed there. Nothing else of the rendered text changes.
 */
export function localiseFor(text: string, { dir, host, port }: LocalPlace): string {
  return text
    .replaceAll('/run/redis', path.join(dir, 'run'))
    .replaceAll('/run/sentinel', path.join(dir, 'sentinel'))
    .replaceAll('/etc/redis', path.join(dir, 'etc'))
    .replaceAll('dir /data', `dir ${path.join(dir, 'data')}`)
    .replace(/^dir \/tmp$/m, `dir ${path.join(dir, 'tmp')}`)
    .replace(/^bind .*$/m, `bind ${host}`)
    .replace(/^port 6379$/m, `port ${port}`)
    .replaceAll('-h 127.0.0.1 -p 6379', `-h ${host} -p ${port}`)
    .replaceAll('-h 127.0.0.1 -p 26379', `-h ${host} -p 26379`);
}

const QUANTITY_UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

/** A Kubernetes memory quantity (`256Mi`, `1G`, `512000`) in bytes, as the downward API gives it to a container. */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+)(|k|M|G|Ki|Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unsupported memory quantity ${JSON.stringify(quantity)}`);
  return Number(match[1]) * QUANTITY_UNITS[match[2]!]!;
}

export interface ChartRedisOptions {
  /** The container's memory limit in bytes (REDIS_MEMORY_LIMIT, from the downward API); default: the rendered limits.memory. */
  memoryLimitBytes?: number;
}

/**
 * Starts the rendered Redis container's script with the environment the pod gives it: these passwords, as its
 * Secrets hold them, and its memory limit, as the downward API gives it.
 */
export async function startChartRedis(values: Record<string, unknown>, passwords: ChartRedisPasswords, options: ChartRedisOptions = {}): Promise<ChartRedis> {
  findOnPath('redis-server', 'redis-server');
  findOnPath('redis-cli', 'redis-tools');
  const rendered = await renderRedis(values);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chart-redis-'));
  const port = await freePort();
  const localise = (text: string): string => localiseFor(text, { dir, host: '127.0.0.1', port });
  for (const sub of ['run', 'etc', 'data']) await mkdir(path.join(dir, sub));
  await writeFile(path.join(dir, 'etc', 'redis.conf'), localise(rendered.conf));
  await writeFile(path.join(dir, 'etc', 'users.acl'), rendered.acl);
  const output: string[] = [];
  const envFor = (memoryLimitBytes: number | undefined): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    REDIS_PASSWORD: passwords.app,
    REDIS_PROBE_PASSWORD: passwords.probe,
    REDIS_EXPORTER_PASSWORD: passwords.exporter,
    REDISCLI_AUTH: passwords.probe,
    REDIS_MEMORY_LIMIT: String(memoryLimitBytes ?? quantityBytes(String(rendered.memoryLimit))),
  });

  const probe = async (script: string, auth = passwords.probe): Promise<boolean> => {
    try {
      await run('/bin/sh', ['-c', localise(script)], { env: { PATH: process.env.PATH, REDISCLI_AUTH: auth } });
      return true;
    } catch {
      return false;
    }
  };
  let server: ChildProcess | undefined;
  const halt = async (): Promise<void> => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const done = exited(server);
      server.kill('SIGTERM');
      await done;
    }
  };
  const stop = async (): Promise<void> => {
    await halt();
    await rm(dir, { recursive: true, force: true });
  };
  const launch = async (memoryLimitBytes: number | undefined): Promise<void> => {
    const child = spawn('/bin/sh', ['-c', localise(rendered.script)], { env: envFor(memoryLimitBytes), stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    track(child);
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await probe(rendered.probes.readiness))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`the chart's Redis did not become ready:\n${output.join('')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await launch(options.memoryLimitBytes);
  return {
    rendered,
    dir,
    port,
    url: `redis://127.0.0.1:${port}`,
    probe,
    async cli(user, password, ...args) {
      const env = { PATH: process.env.PATH, ...(password === undefined ? {} : { REDISCLI_AUTH: password }) };
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...(user === undefined ? [] : ['--user', user]), ...args], { env });
      return stdout.trim();
    },
    logs: () => output.join(''),
    async restart(restartOptions = {}) {
      await halt();
      await launch(restartOptions.memoryLimitBytes);
    },
    stop,
  };
}
