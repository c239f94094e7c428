// The chart's replicated Redis (redis.architecture replication) as rendered, run by Debian's redis-server on
// this machine: each pod's Redis and Sentinel containers are their rendered start-up scripts, with the
// environment their rendered env entries give them (Secrets, downward API, $(POD_NAME)), the rendered
// ConfigMap files and probes. A pod's host name becomes a loopback address of its own (127.a.b.c), so every
// node keeps the ports 6379 and 26379 the scripts name; localiseFor moves the pod's volumes into a temp dir
// and binds each process to its node's address. Everything else is the text the chart renders.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { localiseFor, quantityBytes, renderRedis, type ChartRedisPasswords, type RenderedRedis } from './chart-redis.js';
import { findOnPath } from './find-on-path.js';
import { oneOf } from './kube-typed.js';
import { stopChild, track, waitFor } from './processes.js';

const run = promisify(execFile);

export interface ChartRedisSetPasswords extends ChartRedisPasswords {
  /** The replicator user's (the users Secret's replication-password). */
  replication: string;
  /** The sentinel user's (the users Secret's sentinel-password). */
  sentinel: string;
}

export interface ChartNode {
  readonly pod: string;
  /** The loopback address standing for the pod's host name. */
  readonly host: string;
  /** redis://HOST:6379, without credentials. */
  readonly url: string;
  /** Starts the pod's Redis, then its Sentinel, and resolves once the rendered readiness probes of both pass. */
  start(): Promise<void>;
  /** SIGKILL to both: the node is lost. */
  kill(): Promise<void>;
  /** SIGTERM to both. */
  stop(): Promise<void>;
  logs(): string;
}

export interface ChartRedisSet {
  readonly rendered: RenderedRedis;
  readonly nodes: readonly ChartNode[];
  /** The Deployment's environment for the app, its host names turned into the nodes' addresses (no secrets). */
  readonly appEnv: Record<string, string>;
  /** The node the Sentinels name as primary now (asked with the app user's password, as the service asks). */
  primary(): Promise<ChartNode>;
  /** redis-cli against a node's port 6379 or 26379, as `user` (undefined: no user name), printing the reply. */
  cli(node: ChartNode, port: 6379 | 26379, user: string | undefined, password: string | undefined, ...args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

const SECRET_KEYS: Record<string, keyof ChartRedisSetPasswords> = {
  'redis-password': 'app',
  'probe-password': 'probe',
  'exporter-password': 'exporter',
  'replication-password': 'replication',
  'sentinel-password': 'sentinel',
};

function shellScript(cmd: readonly string[] | undefined, what: string): string {
  if (cmd?.[0] !== '/bin/sh' || cmd[1] !== '-c' || !cmd[2]) throw new Error(`${what}: unexpected command ${JSON.stringify(cmd)}`);
  return cmd[2];
}

/**
 * Renders the chart with these values (redis.architecture replication is added) and prepares one node per pod;
 * start them with start(), in order, as the StatefulSet does.
 */
export async function prepareChartRedisSet(values: Record<string, unknown>, passwords: ChartRedisSetPasswords): Promise<ChartRedisSet> {
  findOnPath('redis-server', 'redis-server');
  findOnPath('redis-cli', 'redis-tools');
  const withReplication = { ...values, redis: { ...((values.redis as Record<string, unknown> | undefined) ?? {}), architecture: 'replication' } };
  const rendered = await renderRedis(withReplication);
  const set = oneOf(rendered.objects, 'StatefulSet', 'page-tracker-redis');
  const containers = set.spec?.template.spec?.containers ?? [];
  const find = (name: string): IContainer => {
    const found = containers.find((c) => c.name === name);
    if (!found) throw new Error(`no container ${name} in the rendered StatefulSet`);
    return found;
  };
  const redis = find('redis');
  const sentinel = find('sentinel');
  const files = oneOf(rendered.objects, 'ConfigMap', 'page-tracker-redis').data ?? {};
  const replicas = set.spec?.replicas ?? 0;
  const headlessHost = (pod: string): string => `${pod}.page-tracker-redis-headless.page-tracker.svc.cluster.local`;
  // Random, so two runs on one machine do not meet on 6379; .10, .11, ... for the pods.
  const prefix = `127.${100 + Math.floor(Math.random() * 150)}.${1 + Math.floor(Math.random() * 250)}`;
  const pods = Array.from({ length: replicas }, (_, i) => ({ pod: `page-tracker-redis-${i}`, host: `${prefix}.${10 + i}` }));
  const toLocal = (text: string): string => pods.reduce((t, { pod, host }) => t.replaceAll(headlessHost(pod), host), text);
  const root = await mkdtemp(path.join(os.tmpdir(), 'chart-redis-set-'));

  const envOf = (container: IContainer, pod: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const entry of container.env ?? []) {
      const from = entry.valueFrom;
      if (entry.value !== undefined) env[entry.name] = toLocal(entry.value.replaceAll('$(POD_NAME)', pod));
      else if (from?.fieldRef?.fieldPath === 'metadata.name') env[entry.name] = pod;
      else if (from?.resourceFieldRef?.resource === 'limits.memory') env[entry.name] = String(quantityBytes(String(container.resources?.limits?.memory)));
      else if (from?.secretKeyRef?.key !== undefined && SECRET_KEYS[from.secretKeyRef.key]) env[entry.name] = passwords[SECRET_KEYS[from.secretKeyRef.key]!];
      else throw new Error(`${container.name}: env ${entry.name} comes from something this harness does not provide: ${JSON.stringify(entry)}`);
    }
    return env;
  };

  const nodes = await Promise.all(
    pods.map(async ({ pod, host }): Promise<ChartNode> => {
      const dir = path.join(root, pod);
      const place = { dir, host, port: 6379 };
      for (const sub of ['run', 'sentinel', 'etc', 'data', 'tmp']) await mkdir(path.join(dir, sub), { recursive: true });
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'etc', name), localiseFor(text, place));
      const output: string[] = [];
      const children: ChildProcess[] = [];
      const probe = async (container: IContainer): Promise<boolean> => {
        const script = localiseFor(shellScript(container.readinessProbe?.exec?.command, `${container.name} readiness`), place);
        try {
          await run('/bin/sh', ['-c', script], { env: envOf(container, pod) });
          return true;
        } catch {
          return false;
        }
      };
      const launch = async (container: IContainer): Promise<void> => {
        const child = spawn('/bin/sh', ['-c', localiseFor(container.args?.[0] ?? '', place)], { env: envOf(container, pod), stdio: ['ignore', 'pipe', 'pipe'] });
        track(child);
        children.push(child);
        child.stdout?.on('data', (chunk: Buffer) => output.push(`[${container.name}] ${chunk.toString()}`));
        child.stderr?.on('data', (chunk: Buffer) => output.push(`[${container.name}] ${chunk.toString()}`));
        await waitFor(`${pod} ${container.name} ready`, async () => {
          if (child.exitCode !== null) throw new Error(`${pod} ${container.name} exited (${child.exitCode}):\n${output.join('')}`);
          return (await probe(container)) ? true : undefined;
        }, 20_000, 100).catch((error: unknown) => {
          throw new Error(`${String(error)}\n${output.join('')}`);
        });
      };
      const halt = async (signal: NodeJS.Signals): Promise<void> => {
        await Promise.all(children.splice(0).map((child) => stopChild(child, signal)));
      };
      return {
        pod,
        host,
        url: `redis://${host}:6379`,
        async start() {
          await launch(redis);
          await launch(sentinel);
        },
        kill: () => halt('SIGKILL'),
        stop: () => halt('SIGTERM'),
        logs: () => output.join(''),
      };
    }),
  );

  const cli = async (node: ChartNode, port: 6379 | 26379, user: string | undefined, password: string | undefined, ...args: string[]): Promise<string> => {
    const env = { PATH: process.env.PATH, ...(password === undefined ? {} : { REDISCLI_AUTH: password }) };
    const { stdout } = await run('redis-cli', ['-h', node.host, '-p', String(port), ...(user === undefined ? [] : ['--user', user]), ...args], { env, timeout: 5000 });
    return stdout.trim();
  };
  const appContainer = oneOf(rendered.objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0];
  const appEnv = Object.fromEntries((appContainer?.env ?? []).filter((e) => e.name.startsWith('REDIS_') && e.value !== undefined).map((e) => [e.name, toLocal(e.value!)]));
  const setName = appEnv.REDIS_SENTINEL_NAME ?? '';
  return {
    rendered,
    nodes,
    appEnv,
    async primary() {
      for (const node of nodes) {
        const reply = await cli(node, 26379, undefined, passwords.app, 'sentinel', 'get-master-addr-by-name', setName).catch(() => '');
        const primary = nodes.find((n) => n.host === reply.split('\n')[0]);
        if (primary) return primary;
      }
      throw new Error('no Sentinel names a primary');
    },
    cli,
    async cleanup() {
      await Promise.all(nodes.map((n) => n.stop()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
