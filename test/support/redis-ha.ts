// Redis with failover, from Debian's real programs on free 127.0.0.1 ports: a primary with replicas watched by
// Sentinels (redis-sentinel), and a Redis Cluster made by `redis-cli --cluster create`. Every process is
// tracked by pid (processes.ts) and every temp dir removed by cleanup().
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { HostPort } from '../../src/config.js';
import { findOnPath } from './find-on-path.js';
import { freePort } from './ports.js';
import { stopChild, waitFor } from './processes.js';
import { launch, startRedis, type RedisServer } from './redis-server.js';

const run = promisify(execFile);

export const SENTINEL_PRIMARY_NAME = 'page-tracker-primary';

/** How fast the Sentinels act: a primary silent for this long is down (the default, 30 s, is too slow for a test). */
export const SENTINEL_DOWN_AFTER_MS = 1500;

export interface SentinelProcess {
  readonly port: number;
  readonly pid: number;
  kill(): Promise<void>;
}

export interface SentinelSet {
  /** The primary the set was started with (after a failover, one of the replicas is the primary instead). */
  readonly primary: RedisServer;
  readonly replicas: readonly RedisServer[];
  readonly sentinels: readonly SentinelProcess[];
  /** host:port of every Sentinel, as REDIS_SENTINELS lists them. */
  readonly sentinelAddresses: readonly HostPort[];
  readonly name: string;
  readonly password: string | undefined;
  /** The data node the Sentinels name as primary now. */
  currentPrimary(): Promise<RedisServer>;
  cleanup(): Promise<void>;
}

export interface SentinelSetOptions {
  replicas?: number;
  sentinels?: number;
  /** requirepass on the data nodes and on the Sentinels (`sentinel auth-pass` to reach the data nodes). */
  password?: string;
  /** A different requirepass for the Sentinels themselves. */
  sentinelPassword?: string;
}

/**
 * A replica's first sync starts at once: Redis 7 otherwise waits 5 s (repl-diskless-sync-delay) for more
 * replicas to share one transfer, and a replica a Sentinel re-points after a failover would wait as long.
 */
const QUICK_SYNC = ['--repl-diskless-sync-delay', '0'];

/** One question to one server on 127.0.0.1, on a connection of its own that never retries. */
async function ask<T>(port: number, password: string | undefined, question: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(password === undefined ? {} : { password }) });
  try {
    await client.connect();
    return await question(client);
  } finally {
    client.disconnect();
  }
}

async function startSentinel(primaryPort: number, quorum: number, password: string | undefined, sentinelPassword: string | undefined): Promise<{ sentinel: SentinelProcess; cleanup: () => Promise<void> }> {
  const binary = findOnPath('redis-sentinel', 'redis-sentinel');
  const dir = await mkdtemp(join(tmpdir(), 'page-tracker-sentinel-'));
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; child === undefined; attempt += 1) {
    port = await freePort();
    // Sentinel rewrites its config file as it learns the set, so each has its own, in its own dir.
    const file = join(dir, 'sentinel.conf');
    await writeFile(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${SENTINEL_PRIMARY_NAME} 127.0.0.1 ${primaryPort} ${quorum}`,
        `sentinel down-after-milliseconds ${SENTINEL_PRIMARY_NAME} ${SENTINEL_DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${SENTINEL_PRIMARY_NAME} 10000`,
        `sentinel parallel-syncs ${SENTINEL_PRIMARY_NAME} 2`,
        ...(password === undefined ? [] : [`sentinel auth-pass ${SENTINEL_PRIMARY_NAME} ${password}`]),
        ...(sentinelPassword === undefined ? [] : [`requirepass ${sentinelPassword}`]),
        '',
      ].join('\n'),
    );
    try {
      child = await launch(binary, [file, '--logfile', ''], '+monitor master');
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) throw error;
    }
  }
  const started = child;
  return {
    sentinel: {
      port,
      get pid() {
        return started.pid ?? -1;
      },
      kill: () => stopChild(started, 'SIGKILL'),
    },
    cleanup: async () => {
      await stopChild(started, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A primary, its replicas and Sentinels watching them, ready once every Sentinel knows every replica and every other Sentinel. */
export async function startSentinelSet(options: SentinelSetOptions = {}): Promise<SentinelSet> {
  const replicaCount = options.replicas ?? 2;
  const sentinelCount = options.sentinels ?? 3;
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async (): Promise<void> => {
    // Sentinels first, so that none starts a failover while the data nodes go.
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const auth = options.password === undefined ? {} : { password: options.password };
    const primary = await startRedis({ ...auth, extraArgs: QUICK_SYNC });
    cleanups.push(() => primary.cleanup());
    const replicas: RedisServer[] = [];
    for (let i = 0; i < replicaCount; i += 1) {
      const replica = await startRedis({ ...auth, extraArgs: [...QUICK_SYNC, '--replicaof', '127.0.0.1', String(primary.port)] });
      cleanups.push(() => replica.cleanup());
      replicas.push(replica);
    }
    for (const replica of replicas) {
      await waitFor(`replica ${replica.port} in sync with the primary`, () => ask(replica.port, options.password, async (client) => (/master_link_status:up/.test(await client.info('replication')) ? true : undefined)), 30_000, 100);
    }
    const sentinels: SentinelProcess[] = [];
    const quorum = Math.floor(sentinelCount / 2) + 1;
    for (let i = 0; i < sentinelCount; i += 1) {
      const { sentinel, cleanup: stop } = await startSentinel(primary.port, quorum, options.password, options.sentinelPassword);
      cleanups.push(stop);
      sentinels.push(sentinel);
    }
    const askSentinel = <T>(port: number, question: (client: Redis) => Promise<T>): Promise<T> => ask(port, options.sentinelPassword, question);
    // Sentinels find the replicas and each other through the primary, within a few seconds.
    for (const { port } of sentinels) {
      await waitFor(
        `Sentinel ${port} to know ${replicaCount} replicas and ${sentinelCount - 1} other Sentinels`,
        () =>
          askSentinel(port, async (client) => {
            const known = (await client.call('SENTINEL', 'REPLICAS', SENTINEL_PRIMARY_NAME)) as unknown[];
            const others = (await client.call('SENTINEL', 'SENTINELS', SENTINEL_PRIMARY_NAME)) as unknown[];
            return known.length === replicaCount && others.length === sentinelCount - 1 ? true : undefined;
          }),
        30_000,
        200,
      );
    }
    const dataNodes = [primary, ...replicas];
    return {
      primary,
      replicas,
      sentinels,
      sentinelAddresses: sentinels.map(({ port }) => ({ host: '127.0.0.1', port })),
      name: SENTINEL_PRIMARY_NAME,
      password: options.password,
      async currentPrimary() {
        for (const { port } of sentinels) {
          try {
            const [, primaryPort] = await askSentinel(port, (client) => client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_PRIMARY_NAME) as Promise<[string, string]>);
            const node = dataNodes.find((candidate) => candidate.port === Number(primaryPort));
            if (node !== undefined) return node;
          } catch {
            // that Sentinel is down: ask the next
          }
        }
        throw new Error('no Sentinel names a primary');
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export interface RedisClusterSet {
  /** Every node, primaries and replicas. */
  readonly nodes: readonly RedisServer[];
  /** host:port of every node, as REDIS_CLUSTER_NODES lists them. */
  readonly seeds: readonly HostPort[];
  /** The node that serves `key`'s slot as primary now. */
  primaryFor(key: string): Promise<RedisServer>;
  cleanup(): Promise<void>;
}

/** How long a cluster node may be silent before the others fail it over (the default, 15 s, is too slow for a test). */
export const CLUSTER_NODE_TIMEOUT_MS = 1500;

/** `primaries` primaries with `replicasPerPrimary` replicas each, slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(primaries = 3, replicasPerPrimary = 1): Promise<RedisClusterSet> {
  const redisCli = findOnPath('redis-cli', 'redis-tools');
  const nodes: RedisServer[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.cleanup().catch(() => undefined)));
  };
  try {
    for (let i = 0; i < primaries * (1 + replicasPerPrimary); i += 1) {
      nodes.push(
        await startRedis({
          extraArgs: [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS),
            ...QUICK_SYNC,
            // The bus port defaults to the port + 10000, which may be taken or above 65535: pick a free one.
            '--cluster-port', String(await freePort()),
          ],
        }),
      );
    }
    await run(redisCli, ['--cluster', 'create', ...nodes.map(({ port }) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes'], { timeout: 60_000 });
    const askNode = <T>(node: RedisServer, question: (client: Redis) => Promise<T>): Promise<T> => ask(node.port, undefined, question);
    for (const node of nodes) {
      await waitFor(`cluster node ${node.port} to see the cluster ok`, () => askNode(node, async (client) => (/cluster_state:ok/.test(String(await client.call('CLUSTER', 'INFO'))) ? true : undefined)), 30_000, 200);
    }
    // Every replica attached and synced, so a failover has someone to promote.
    await waitFor(
      `${primaries * replicasPerPrimary} replicas in sync`,
      async () => {
        let synced = 0;
        for (const node of nodes) {
          const info = await askNode(node, (client) => client.info('replication')).catch(() => '');
          if (/role:slave/.test(info) && /master_link_status:up/.test(info)) synced += 1;
        }
        return synced === primaries * replicasPerPrimary ? true : undefined;
      },
      30_000,
      200,
    );
    return {
      nodes,
      seeds: nodes.map(({ port }) => ({ host: '127.0.0.1', port })),
      async primaryFor(key) {
        for (const node of nodes) {
          try {
            return await askNode(node, async (client) => {
              const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
              const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>;
              const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
              const found = nodes.find((candidate) => candidate.port === Number(owner?.[2][1]));
              if (found === undefined) throw new Error(`no node serves slot ${slot}`);
              return found;
            });
          } catch {
            // that node is down or does not know yet: ask the next
          }
        }
        throw new Error(`no cluster node names a primary for ${key}`);
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
