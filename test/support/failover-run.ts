// One failover under load, measured: the built service counting views through Sentinel or a Redis Cluster,
// the primary that holds the counts SIGKILLed mid-load, and what clients saw. Shared by the resilience test
// (test/resilience/redis-failover.test.ts), which asserts on it, and `npm run bench:failover`, which prints it.
import { Redis } from 'ioredis';
import { redisKeys } from '../../src/store/redis-keys.js';
import { startLoad, type LoadRecord, type LoadSummary } from './load.js';
import { startRedisCluster, startSentinelSet } from './redis-ha.js';
import type { RedisServer } from './redis-server.js';
import { crashSigns, untilReady } from './service-checks.js';
import { ONE_CLIENT_LOAD_ENV, startService, type RunningService } from './service.js';

export type HaKind = 'sentinel' | 'cluster';

/** The service's default REDIS_KEY_PREFIX: the runs read its total straight from Redis. */
const KEY_PREFIX = 'page-tracker:';
const PASSWORD = 'failover-test-password';

/** A data node as a failover run sees it: where it is, and how to lose it. */
export type DataNode = Pick<RedisServer, 'url' | 'kill'>;

/** How the run reads the counts from a data node: the app's credentials. */
export interface DataAuth {
  username?: string;
  password?: string;
}

export interface HaStack {
  readonly service: RunningService;
  /** The data node that holds the counts now. */
  primary(): Promise<DataNode>;
  /** Views counted in Redis (the `total` key), read from the node that holds it now. */
  countedTotal(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Sentinel: a primary, 2 replicas and 3 Sentinels, all with one password that the service gets as REDIS_PASSWORD
 * only (so the Sentinels are reached with the data nodes' password, the documented default). Cluster: 3
 * primaries with 2 replicas each, so that a promoted primary still has a replica to acknowledge writes.
 */
export async function startHaStack(kind: HaKind, env: Record<string, string> = {}): Promise<HaStack> {
  if (kind === 'sentinel') {
    const set = await startSentinelSet({ replicas: 2, sentinels: 3, password: PASSWORD, sentinelPassword: PASSWORD });
    const serviceEnv = {
      REDIS_SENTINELS: set.sentinelAddresses.map(({ host, port }) => `${host}:${port}`).join(','),
      REDIS_SENTINEL_NAME: set.name,
      REDIS_PASSWORD: PASSWORD,
    };
    return stackOn({ ...serviceEnv, ...env }, redisKeys(KEY_PREFIX).total, () => set.currentPrimary(), { password: PASSWORD }, () => set.cleanup());
  }
  const cluster = await startRedisCluster(3, 2);
  const total = redisKeys(KEY_PREFIX, { hashTag: true }).total;
  const serviceEnv = { REDIS_CLUSTER_NODES: cluster.seeds.map(({ host, port }) => `${host}:${port}`).join(',') };
  return stackOn({ ...serviceEnv, ...env }, total, () => cluster.primaryFor(total), {}, () => cluster.cleanup());
}

/** The built service on a running Redis set, whose counts are read from the node `primary` names now. */
export async function stackOn(
  env: Record<string, string>,
  total: string,
  primary: () => Promise<DataNode>,
  auth: DataAuth,
  cleanup: () => Promise<void>,
): Promise<HaStack> {
  const service = await startService({ env: { LOG_LEVEL: 'warn', ...ONE_CLIENT_LOAD_ENV, ...env } }).catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
  return {
    service,
    primary,
    async countedTotal() {
      const client = new Redis((await primary()).url, auth);
      try {
        return Number((await client.get(total)) ?? 0);
      } finally {
        client.disconnect();
      }
    },
    async stop() {
      await service.stop('SIGKILL');
      await cleanup();
    },
  };
}

/** What clients saw of one failover, and what the new primary kept: from the records of a load run. */
export interface FailoverFigures {
  /** Answers by HTTP status ('none' for a request that got no HTTP answer). */
  statuses: Record<string, number>;
  /** Requests sent in the run. */
  total: number;
  slowest503Ms: number;
  /** From the kill until the Sentinels or the cluster named a new primary. */
  promotionMs: number;
  /** From the kill until the first 200 of a request sent after it: the failover as clients saw it. */
  outageMs: number;
  /** From the promotion until that first 200. */
  resumedAfterPromotionMs: number;
  /** Views answered 200. */
  acknowledged: number;
  /** Views answered otherwise: Redis may have applied them (a 503 does not mean "not counted"). */
  inDoubt: number;
  /** The total in the new primary once the run is over. */
  counted: number;
  /** Views answered 200 that the new primary does not have. */
  lost: number;
}

export interface FailoverOutcome extends FailoverFigures {
  /** Whether the service process is the one that started the run, and what it logged that looks like a crash. */
  sameProcess: boolean;
  crashSigns: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function earliest(records: readonly LoadRecord[]): number {
  return records.reduce((least, r) => Math.min(least, r.end), Infinity);
}

/**
 * Load for `beforeKillMs`, SIGKILL the primary holding the counts, keep the load on until `afterPromotionMs`
 * after a new primary is named (or `giveUpMs` after the kill), then compare the 200s with what the new primary holds.
 */
export async function failoverUnderLoad(
  stack: HaStack,
  { concurrency = 8, beforeKillMs = 2000, afterPromotionMs = 4000, giveUpMs = 30_000 } = {},
): Promise<FailoverOutcome> {
  const { service } = stack;
  await untilReady(service, 15_000);
  const pidBefore = service.pid;
  const load = startLoad({ baseUrl: service.baseUrl, concurrency, path: (n) => `/api/views/failover-${n % 10}`, keepRecords: true });
  await sleep(beforeKillMs);
  const doomed = await stack.primary();
  const killedAt = Date.now();
  await doomed.kill();
  let promotedAt: number | undefined;
  while (promotedAt === undefined && Date.now() - killedAt < giveUpMs) {
    const now = await stack.primary().catch(() => doomed);
    if (now.url !== doomed.url) promotedAt = Date.now();
    else await sleep(50);
  }
  if (promotedAt === undefined) {
    await load.stop();
    throw new Error(`no new primary was named within ${giveUpMs} ms of the kill`);
  }
  await sleep(afterPromotionMs);
  const { records, counts, total } = await load.stop();
  // A batch answered 503 may still be applied once ioredis resends it on its new connection (VIEW-WRITE.md):
  // give it a moment, so that the count read is final.
  await sleep(500);
  const counted = await stack.countedTotal();
  return {
    ...failoverFigures({ records, counts, total }, killedAt, promotedAt, counted),
    sameProcess: service.pid === pidBefore && service.process.exitCode === null,
    crashSigns: crashSigns(service),
  };
}

/**
 * The figures of a load run through a failover: the primary lost at `killedAt`, a new one named at
 * `promotedAt`, `counted` views in it at the end (a store that held no views before the run).
 */
export function failoverFigures(
  { records, counts, total }: Pick<LoadSummary, 'records' | 'counts' | 'total'>,
  killedAt: number,
  promotedAt: number,
  counted: number,
): FailoverFigures {
  const acknowledged = records.filter((r) => r.status === 200).length;
  const firstOkAfterKill = earliest(records.filter((r) => r.status === 200 && r.start >= killedAt));
  const slowest503Ms = records.filter((r) => r.status === 503).reduce((most, r) => Math.max(most, r.end - r.start), 0);
  return {
    statuses: Object.fromEntries([...counts].map(([status, count]) => [status === 'error' ? 'none' : String(status), count])),
    total,
    slowest503Ms,
    promotionMs: promotedAt - killedAt,
    outageMs: firstOkAfterKill - killedAt,
    resumedAfterPromotionMs: firstOkAfterKill - promotedAt,
    acknowledged,
    inDoubt: total - acknowledged,
    counted,
    lost: Math.max(0, acknowledged - counted),
  };
}

/** One line for a figure: what clients saw and what the new primary kept. */
export function describeFailover(outcome: FailoverFigures): string {
  const { statuses, promotionMs, outageMs, resumedAfterPromotionMs, slowest503Ms, acknowledged, inDoubt, counted, lost } = outcome;
  return (
    `statuses ${JSON.stringify(statuses)}; promotion ${Math.round(promotionMs)} ms after the kill, first 200 ${Math.round(outageMs)} ms after it ` +
    `(${Math.round(resumedAfterPromotionMs)} ms after the promotion); slowest 503 ${Math.round(slowest503Ms)} ms; ` +
    `${acknowledged} answered 200, ${counted} in the new primary, lost ${lost} (${inDoubt} answered otherwise)`
  );
}
