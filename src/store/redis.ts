import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { DEFAULT_REPLICAS_ACK_TIMEOUT_MS, type HostPort, type RedisSentinelConfig } from '../config.js';
import { StoreUnavailableError } from '../errors.js';
import { FoldedWarnings } from '../folded-warnings.js';
import type { Metrics } from '../metrics.js';
import { GroupCommit, type ItemOutcome } from './group-commit.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { addDays, DAY_MS, dayKeyLifetimeMs, dayNumber, dayOf, dayOfNumber, daysFrom, DEFAULT_RETENTION_DAYS, startOfDay, type DayRange } from '../days.js';
import { EXPORT_PAGE, IMPORT_PAGES, PAGE_RANGE, PAGE_STATS, RECORD_VIEWS, RESET_PAGE, TOP_PAGES, TOP_PAGES_RANGE } from './redis-scripts.js';
import { retainedDays, type PortableDay, type PortablePage, type VisitorState } from './portable.js';
import {
  budgetWindow,
  IDEMPOTENCY_WINDOW_MS,
  isViewOutcome,
  NO_BUDGET,
  pageRange,
  pageStats,
  recordedView,
  type PageRange,
  type PageStats,
  type RecordedView,
  type RefusalContext,
  type TopPages,
  topPagesRange,
  type TopPagesRange,
  VISITOR_SALT_LIFETIME_MS,
  type ViewStore,
  type ViewToRecord,
  type ViewStoreRules,
} from './view-store.js';

/**
 * The most views one RECORD_VIEWS call carries. Redis runs a script without serving anyone else, so a batch
 * must stay short: 256 views at the 8-25 µs of script time per view measured (a new visitor's HyperLogLog
 * update costs the most) is 2-6 ms, the longest stall other clients can see; at 64 connections a turn held
 * about 21 views, so the cap only cuts bursts. A turn with more is split into calls of at most 256, in order.
 */
export const MAX_VIEWS_PER_BATCH = 256;

/** Where Redis is: one server by URL, the primary Sentinel names, or a Redis Cluster from its seed nodes. */
export type RedisTarget = { url: string } | { sentinel: RedisSentinelConfig } | { clusterNodes: readonly HostPort[] };

type RedisStoreOptions = RedisTarget & RedisStoreSettings;

interface RedisStoreSettings extends ViewStoreRules {
  /** For the data nodes: overrides the URL's user name (REDIS_USERNAME). */
  username?: string | undefined;
  /** For the data nodes: overrides the URL's password (REDIS_PASSWORD or REDIS_PASSWORD_FILE). */
  password: string | undefined;
  keyPrefix: string;
  commandTimeoutMs: number;
  /** Replicas that must acknowledge a batch (WAIT) before its views are answered; 0 or absent: none. */
  minReplicasAck?: number;
  /** WAIT's timeout; must be below commandTimeoutMs (config.ts checks it). */
  replicasAckTimeoutMs?: number;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Where and as whom to connect: the URL without its credentials, and the user name and password, each the
 * explicit one when given, else the URL's. ioredis merges a URL and an options object by filling only what
 * the first left unset, and a URL with a user but no password (`redis://page-tracker@host`) sets the
 * password to "", so an explicit password passed beside such a URL was silently dropped (WRONGPASS).
 * Taking the credentials out of the URL first leaves one source for each.
 */
export function redisConnection(rawUrl: string, username: string | undefined, password: string | undefined): { url: string; username?: string; password?: string } {
  const url = new URL(rawUrl);
  const fromUrl = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  url.username = '';
  url.password = '';
  const user = username ?? (fromUrl.username === '' ? undefined : fromUrl.username);
  const secret = password ?? (fromUrl.password === '' ? undefined : fromUrl.password);
  return { url: url.toString(), ...(user === undefined ? {} : { username: user }), ...(secret === undefined ? {} : { password: secret }) };
}

// The commands defineCommand adds at run time, on a Redis or a Cluster alike.
type ScriptedRedis = (Redis | Cluster) & ScriptedCommands;

interface ScriptedCommands {
  /** RECORD_VIEWS: the number of keys first, then the keys, then ARGV (see the script). */
  recordViews(numberOfKeys: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  pageStats(numberOfKeys: number, ...keysThenPage: string[]): Promise<[number, number]>;
  topPages(ranking: string, total: string, limit: number): Promise<[number, string[]]>;
  pageRange(numberOfKeys: number, ...keysThenPage: string[]): Promise<number[]>;
  topPagesRange(numberOfKeys: number, ...keysThenLimit: Array<string | number>): Promise<[number[], string[]]>;
  /** EXPORT_PAGE with binary replies: an HLL string is not text. */
  exportPageBuffer(numberOfKeys: number, ...keysThenPage: string[]): Promise<[number, Buffer, number[], Buffer[], number]>;
  importPages(numberOfKeys: number, ...keysThenArgs: Array<string | number | Buffer>): Promise<number>;
  resetPage(numberOfKeys: number, ...keysThenPage: string[]): Promise<[number, number]>;
}

/** An HLL string as the export carries it; nothing when the key does not exist. */
function hllState(bytes: Buffer): VisitorState | undefined {
  return bytes.length === 0 ? undefined : { redisHll: bytes.toString('base64') };
}

/** The bytes IMPORT_PAGES is given for a visitor state: '' leaves the visitors as they are. */
function hllBytes(state: VisitorState | undefined): Buffer | string {
  return state !== undefined && 'redisHll' in state ? Buffer.from(state.redisHll, 'base64') : '';
}

/** ZREVRANGE ... WITHSCORES (page, score, page, score, ...) as the ranking's entries. */
function rankedPages(ranked: string[]): TopPages['pages'] {
  const pages: TopPages['pages'] = [];
  for (let i = 0; i + 1 < ranked.length; i += 2) pages.push({ page: ranked[i] ?? '', views: Number(ranked[i + 1]) });
  return pages;
}

/** Settings every connection shares, whichever way Redis is reached. */
function connectionOptions(options: RedisStoreOptions): RedisOptions {
  return {
    // CLIENT SETINFO only labels the connection, and a least-privilege ACL user need not be allowed it.
    disableClientInfo: true,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2000,
    // A primary demoted by a failover answers writes with READONLY: reconnect, which finds the new primary.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  };
}

/** The data nodes' user name and password, for Sentinel and Cluster (a URL's are taken apart by redisConnection). */
function credentials(options: RedisStoreSettings): RedisOptions {
  return {
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  };
}

// Reconnect forever, at most a second apart, so the service heals itself when Redis returns.
const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** attempt, 1000);

function connect(options: RedisStoreOptions): Redis | Cluster {
  if ('clusterNodes' in options) {
    return new Cluster(
      options.clusterNodes.map(({ host, port }) => ({ host, port })),
      {
        redisOptions: { ...connectionOptions(options), ...credentials(options) },
        // Fail fast instead of queueing while the cluster is unreachable: a 503 at once, memory bounded.
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        enableAutoPipelining: true,
        // A failover moves slots: wait a little before following the redirection, within the command deadline.
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
      },
    );
  }
  const shared: RedisOptions = {
    ...connectionOptions(options),
    // Fail fast instead of queueing while Redis is away: a request gets a 503 at once, memory stays bounded.
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
    // Requests arriving in the same tick share one write to the socket.
    enableAutoPipelining: true,
  };
  if ('sentinel' in options) {
    const { sentinels, name, password } = options.sentinel;
    return new Redis({
      ...shared,
      ...credentials(options),
      sentinels: sentinels.map(({ host, port }) => ({ host, port })),
      name,
      ...(password === undefined ? {} : { sentinelPassword: password }),
      sentinelRetryStrategy: reconnectDelay,
      // Subscribe to the Sentinels' +switch-master, so a promotion is followed at once, not at the next error.
      failoverDetector: true,
    });
  }
  const { url, ...fromUrl } = redisConnection(options.url, options.username, options.password);
  return new Redis(url, { ...shared, ...fromUrl });
}

export class RedisStore implements ViewStore {
  readonly kind = 'redis';
  private readonly redis: ScriptedRedis;
  private readonly keys: RedisKeys;
  private readonly warnings: FoldedWarnings;
  /** The last error the connection reported, until it is ready again: the real cause while it is down. */
  private connectionProblem: Error | undefined;
  /**
   * The views of one event-loop turn, sent as one RECORD_VIEWS call. With replica acknowledgement, one batch at a
   * time: Redis holds a client's later commands while its WAIT blocks, so a second batch sent meanwhile would only
   * queue behind it on the connection; kept here instead, the views that arrive during one WAIT share the next.
   */
  private readonly viewBatches: GroupCommit<ViewToRecord, RecordedView>;

  constructor(private readonly options: RedisStoreOptions) {
    const cluster = 'clusterNodes' in options;
    this.keys = redisKeys(options.keyPrefix, { hashTag: cluster });
    this.warnings = new FoldedWarnings(options.logger);
    this.viewBatches = new GroupCommit(MAX_VIEWS_PER_BATCH, (views, waitedMs) => this.recordViews(views, waitedMs), (options.minReplicasAck ?? 0) > 0 ? 1 : Infinity);
    this.redis = connect(options) as ScriptedRedis;
    // No numberOfKeys: a batch's key count depends on which of its views carry an idempotency key.
    this.redis.defineCommand('recordViews', { lua: RECORD_VIEWS });
    this.redis.defineCommand('pageStats', { lua: PAGE_STATS });
    this.redis.defineCommand('topPages', { numberOfKeys: 2, lua: TOP_PAGES });
    this.redis.defineCommand('pageRange', { lua: PAGE_RANGE });
    this.redis.defineCommand('topPagesRange', { lua: TOP_PAGES_RANGE });
    this.redis.defineCommand('exportPage', { lua: EXPORT_PAGE });
    this.redis.defineCommand('importPages', { lua: IMPORT_PAGES });
    this.redis.defineCommand('resetPage', { lua: RESET_PAGE });
    this.watchConnection();
  }

  private watchConnection(): void {
    const { logger } = this.options;
    this.redis.on('ready', () => {
      this.connectionProblem = undefined;
      logger.info('redis connection ready');
    });
    // Without a listener ioredis would print every failed reconnect (one a second while Redis is away).
    const onError = (error: Error): void => {
      this.connectionProblem = error;
      this.warnings.warn('redis connection error', { err: error.message });
    };
    this.redis.on('error', onError);
    // A Cluster reports a failing node on its own event and keeps 'error' for the cluster as a whole.
    this.redis.on('node error', onError);
  }

  /**
   * While the connection is down, a command fails with ioredis's own complaint ("Stream isn't writeable
   * and enableOfflineQueue options is false", "Connection is closed."), which says nothing about why. The
   * connection's last error does: ECONNREFUSED, ENOTFOUND, WRONGPASS, a certificate, a connect timeout.
   */
  private whyFailed(error: unknown): Error {
    if (this.redis.status !== 'ready') {
      return this.connectionProblem ?? new Error(`not connected to Redis (connection ${this.redis.status})`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  /** `deadlineMs`: the bound for this call when less than the command timeout is left (the WAIT after a script). */
  private async timed<T>(command: string, run: () => Promise<T>, deadlineMs = this.options.commandTimeoutMs): Promise<T> {
    const { redisCommandDuration, redisErrors } = this.options.metrics;
    const started = process.hrtime.bigint();
    // ioredis's commandTimeout alone is not a bound on waiting: auto-pipelining sends one batch at
    // a time, so behind a stalled batch a command could wait two timeouts. This deadline is the bound.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      redisErrors.inc({ command });
      throw new StoreUnavailableError(this.whyFailed(error));
    } finally {
      clearTimeout(timer);
      redisCommandDuration.observe({ command }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  recordView(view: ViewToRecord): Promise<RecordedView> {
    return this.viewBatches.submit(view);
  }

  /**
   * One RECORD_VIEWS call for the batch: one outcome per view, in order. A view the script refused (page cap,
   * reused key, budget, page pattern) fails alone; a failed or timed-out call throws, and GroupCommit fails every view with it.
   */
  private async recordViews(views: readonly ViewToRecord[], waitedMs: number): Promise<Array<ItemOutcome<RecordedView>>> {
    const budget = this.options.budget ?? NO_BUDGET;
    // One instant for the whole batch: every view of it falls in the same budget windows.
    const now = (this.options.now ?? Date.now)();
    const context: RefusalContext = {
      maxPages: this.options.maxPages,
      viewsWindow: budgetWindow(now, budget.viewsWindowMs),
      newPagesWindow: budgetWindow(now, budget.newPagesWindowMs),
    };
    const budgetOn = budget.viewsPerWindow > 0 || budget.newPagesPerWindow > 0;
    // The batch's instant decides its day too, so a batch never straddles midnight.
    const day = dayOf(now);
    const keys: string[] = [this.keys.ranking, this.keys.total, this.keys.dayRanking(day), this.keys.dayTotal(day), this.keys.firstSeen];
    const args: Array<string | number> = [
      this.options.maxPages,
      this.options.idempotencyWindowMs ?? IDEMPOTENCY_WINDOW_MS,
      budget.viewsPerWindow,
      context.viewsWindow.remainingMs,
      budget.newPagesPerWindow,
      context.newPagesWindow.remainingMs,
      dayKeyLifetimeMs(now, this.options.retentionDays ?? DEFAULT_RETENTION_DAYS),
      this.countVisitors ? 1 : 0,
      dayNumber(day),
    ];
    for (const { page, visitorId, idempotencyKey, client, mayCreatePage } of views) {
      if (this.countVisitors) keys.push(this.keys.visitors(page), this.keys.dayVisitors(day, page));
      if (idempotencyKey !== undefined) keys.push(this.keys.idempotency(idempotencyKey));
      const budgeted = budgetOn && client !== undefined;
      if (budgeted) keys.push(this.keys.viewsBudget(client, context.viewsWindow.index), this.keys.newPagesBudget(client, context.newPagesWindow.index));
      args.push(page, this.countVisitors ? visitorId : '', idempotencyKey === undefined ? 0 : 1, budgeted ? 1 : 0, mayCreatePage === false ? 0 : 1);
    }
    // One command timeout covers a view's whole wait: behind the batch before it (one batch in flight while
    // replicas acknowledge), its script and its WAIT. So a 503 comes within REDIS_COMMAND_TIMEOUT_MS either way.
    const deadlineAt = Date.now() - waitedMs + this.options.commandTimeoutMs;
    const scriptLeftMs = deadlineAt - Date.now();
    if (scriptLeftMs < 1) {
      this.options.metrics.redisErrors.inc({ command: 'record_views' });
      throw new StoreUnavailableError(new Error(`no answer from Redis within ${this.options.commandTimeoutMs} ms (the views waited that long behind the batch before them)`));
    }
    const reply = await this.timed('record_views', () => this.redis.recordViews(keys.length, ...keys, ...args), scriptLeftMs);
    await this.replicasAcknowledged(deadlineAt - Date.now());
    // A reply of another shape means the script and this code disagree (a bug, not an outage): a 500, logged.
    if (reply.length !== 3 * views.length || !reply.every((value) => Number.isInteger(value))) {
      throw new Error(`RECORD_VIEWS answered ${JSON.stringify(reply)} for ${views.length} views`);
    }
    return views.map(({ page }, i) => {
      const [outcome, viewCount, visitors] = reply.slice(3 * i, 3 * i + 3) as [number, number, number];
      if (!isViewOutcome(outcome)) throw new Error(`RECORD_VIEWS answered the unknown outcome ${outcome}`);
      try {
        return { ok: true, value: recordedView(page, { outcome, views: viewCount, visitors: this.countVisitors ? visitors : null }, context) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }

  /**
   * With minReplicasAck, a batch is answered only once that many replicas hold it: WAIT, sent after the script
   * answered, so the script's writes are in the replication stream it waits for. A WAIT that comes back with
   * fewer fails the whole batch with a 503; its views may have landed (an Idempotency-Key retry is then a
   * duplicate). In a cluster WAIT has no key to route it: it travels in a pipeline with a read of a key of the
   * batch's slot, so it reaches the primary that ran the script.
   */
  private async replicasAcknowledged(leftMs: number): Promise<void> {
    const wanted = this.options.minReplicasAck ?? 0;
    if (wanted === 0) return;
    // WAIT waits at most what is left of the command timeout, and never 0 ms (to Redis: for ever).
    const timeoutMs = Math.max(1, Math.min(this.options.replicasAckTimeoutMs ?? DEFAULT_REPLICAS_ACK_TIMEOUT_MS, leftMs));
    const acknowledged = await this.timed(
      'replicas_ack',
      async () => {
        const replies = await this.redis.pipeline().exists(this.keys.total).wait(wanted, timeoutMs).exec();
        const [error, count] = replies?.[1] ?? [new Error('no reply to WAIT')];
        if (error) throw error;
        return Number(count);
      },
      Math.max(1, leftMs),
    );
    if (acknowledged < wanted) {
      this.options.metrics.redisErrors.inc({ command: 'replicas_ack' });
      throw new StoreUnavailableError(new Error(`${acknowledged} of the ${wanted} replicas required (REDIS_MIN_REPLICAS_ACK) acknowledged the write within ${timeoutMs} ms`));
    }
  }

  async getPage(page: string): Promise<PageStats> {
    const keys = this.countVisitors ? [this.keys.ranking, this.keys.visitors(page)] : [this.keys.ranking];
    const [views, visitors] = await this.timed('page_stats', () => this.redis.pageStats(keys.length, ...keys, page));
    return pageStats(page, views, this.countVisitors ? visitors : null);
  }

  async topPages(limit: number): Promise<TopPages> {
    const [total, ranked] = await this.timed('top_pages', () => this.redis.topPages(this.keys.ranking, this.keys.total, limit));
    return { pages: rankedPages(ranked), total };
  }

  async pageRange(page: string, range: DayRange): Promise<PageRange> {
    const days = daysFrom(range.from, range.to);
    const keys = days.map((day) => this.keys.dayRanking(day));
    if (this.countVisitors) keys.push(...days.map((day) => this.keys.dayVisitors(day, page)));
    const reply = await this.timed('page_range', () => this.redis.pageRange(keys.length, ...keys, page, String(days.length)));
    return pageRange(page, range, days.map((day, i) => ({ day, views: reply[i] ?? 0 })), this.countVisitors ? (reply[days.length] ?? 0) : null);
  }

  async topPagesRange(range: DayRange, limit: number): Promise<TopPagesRange> {
    const days = daysFrom(range.from, range.to);
    const keys = [this.keys.rangeScratch, ...days.map((day) => this.keys.dayRanking(day)), ...days.map((day) => this.keys.dayTotal(day))];
    const args: number[] = [limit, days.length];
    // A ranking up to today (the common "last N days") reuses the union of its completed days until midnight;
    // only one cache per first day can exist a day, so their number stays bounded by MAX_TOP_RANGE_DAYS.
    const now = (this.options.now ?? Date.now)();
    const today = dayOf(now);
    if (limit > 0 && days.length > 1 && range.to === today) {
      keys.push(this.keys.rangeCache(range.from, addDays(today, -1)), this.keys.rangeGeneration);
      args.push(startOfDay(today) + DAY_MS - now);
    }
    const [totals, ranked] = await this.timed('top_pages_range', () => this.redis.topPagesRange(keys.length, ...keys, ...args));
    const dayViews = days.map((day, i) => ({ day, views: totals[i] ?? 0 }));
    return topPagesRange(range, rankedPages(ranked), dayViews);
  }

  private get countVisitors(): boolean {
    return this.options.countVisitors ?? true;
  }

  private retention(): number {
    return this.options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  }

  /** Every page, one EXPORT_PAGE call each (a page is read as of one instant; the export is not one snapshot). */
  async exportPages(): Promise<PortablePage[]> {
    const kept = retainedDays((this.options.now ?? Date.now)(), this.retention());
    const days = daysFrom(kept.from, kept.to);
    const { pages } = await this.topPages(2 ** 31 - 1);
    const exported: PortablePage[] = [];
    for (const { page } of pages) {
      const keys = [this.keys.ranking, this.keys.visitors(page), this.keys.firstSeen, ...days.map((day) => this.keys.dayRanking(day)), ...days.map((day) => this.keys.dayVisitors(day, page))];
      const [views, hll, dayViews, dayHlls, firstSeen] = await this.timed('export_page', () => this.redis.exportPageBuffer(keys.length, ...keys, page));
      // A page reset between the listing and its read is gone: it is not exported.
      if (views === 0) continue;
      const portableDays: PortableDay[] = [];
      days.forEach((day, i) => {
        const viewed = dayViews[i] ?? 0;
        if (viewed > 0) portableDays.push({ day, views: viewed, visitorState: this.countVisitors ? hllState(dayHlls[i] ?? Buffer.alloc(0)) : undefined });
      });
      const { visitors } = await this.getPage(page);
      exported.push({ page, views, visitors, visitorState: this.countVisitors ? hllState(hll) : undefined, firstSeen: firstSeen < 0 ? undefined : dayOfNumber(firstSeen), days: portableDays });
    }
    return exported;
  }

  async importPages(pages: readonly PortablePage[]): Promise<void> {
    const keys: string[] = [this.keys.ranking, this.keys.total, this.keys.firstSeen, this.keys.rangeGeneration];
    const args: Array<string | number | Buffer> = [];
    for (const { page, views, visitorState, firstSeen, days } of pages) {
      keys.push(this.keys.visitors(page));
      // Without visitor counting an imported visitor state is not kept (docs/data.md): '' writes no HLL.
      args.push(page, views, this.countVisitors ? hllBytes(visitorState) : '', firstSeen === undefined ? '' : dayNumber(firstSeen), days.length);
      for (const { day, views: dayViews, visitorState: dayState } of days) {
        keys.push(this.keys.dayRanking(day), this.keys.dayTotal(day), this.keys.dayVisitors(day, page));
        // The moment the day's keys end, whenever they are written: the end of the day plus the retention.
        const endsAt = startOfDay(day) + dayKeyLifetimeMs(startOfDay(day), this.retention());
        args.push(dayViews, this.countVisitors ? hllBytes(dayState) : '', Math.max(1, endsAt - (this.options.now ?? Date.now)()));
      }
    }
    await this.timed('import_pages', () => this.redis.importPages(keys.length, ...keys, ...args));
  }

  async resetPage(page: string): Promise<PageStats> {
    const kept = retainedDays((this.options.now ?? Date.now)(), this.retention());
    const keys = [this.keys.ranking, this.keys.total, this.keys.visitors(page), this.keys.firstSeen, this.keys.rangeGeneration];
    for (const day of daysFrom(kept.from, kept.to)) keys.push(this.keys.dayRanking(day), this.keys.dayTotal(day), this.keys.dayVisitors(day, page));
    const [views, visitors] = await this.timed('reset_page', () => this.redis.resetPage(keys.length, ...keys, page));
    return pageStats(page, views, this.countVisitors ? visitors : null);
  }

  async visitorSalt(day: string, candidate: string): Promise<string> {
    // SET NX GET: one call that keeps the salt another replica made first, or stores ours.
    const first = await this.timed('visitor_salt', () => this.redis.call('SET', this.keys.visitorSalt(day), candidate, 'PX', VISITOR_SALT_LIFETIME_MS, 'NX', 'GET'));
    return typeof first === 'string' ? first : candidate;
  }

  async ping(): Promise<void> {
    await this.timed('ping', () => this.redis.ping());
  }

  async close(): Promise<void> {
    // QUIT lets Redis finish what it has; if it cannot answer soon, drop the socket.
    const quit = this.redis.quit().catch(() => undefined);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
    await Promise.race([quit, timeout]);
    this.redis.disconnect();
  }
}
