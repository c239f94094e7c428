import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../errors.js';
import { FoldedWarnings } from '../folded-warnings.js';
import type { Metrics } from '../metrics.js';
import { GroupCommit, type ItemOutcome } from './group-commit.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { PAGE_STATS, RECORD_VIEWS, TOP_PAGES } from './redis-scripts.js';
import {
  budgetWindow,
  IDEMPOTENCY_WINDOW_MS,
  isViewOutcome,
  NO_BUDGET,
  pageStats,
  recordedView,
  type PageStats,
  type RecordedView,
  type RefusalContext,
  type TopPages,
  type ViewBudget,
  type ViewStore,
  type ViewToRecord,
} from './view-store.js';

/**
 * The most views one RECORD_VIEWS call carries. Redis runs a script without serving anyone else, so a batch
 * must stay short: 256 views at the 8-25 µs of script time per view measured (a new visitor's HyperLogLog
 * update costs the most) is 2-6 ms, the longest stall other clients can see; at 64 connections a turn held
 * about 21 views, so the cap only cuts bursts. A turn with more is split into calls of at most 256, in order.
 */
export const MAX_VIEWS_PER_BATCH = 256;

export interface RedisStoreOptions {
  url: string;
  /** Overrides the URL's user name (REDIS_USERNAME). */
  username?: string | undefined;
  /** Overrides the URL's password (REDIS_PASSWORD or REDIS_PASSWORD_FILE). */
  password: string | undefined;
  keyPrefix: string;
  commandTimeoutMs: number;
  maxPages: number;
  /** How long an Idempotency-Key is remembered; IDEMPOTENCY_WINDOW_MS unless a test shortens it. */
  idempotencyWindowMs?: number;
  /** The per-client limits; NO_BUDGET when absent. */
  budget?: ViewBudget;
  /** The clock the budget windows run by, in ms since the epoch; tests pass their own. */
  now?: () => number;
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

// The commands defineCommand adds at run time.
interface ScriptedRedis extends Redis {
  /** RECORD_VIEWS: the number of keys first, then the keys, then ARGV (see the script). */
  recordViews(numberOfKeys: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  pageStats(ranking: string, visitors: string, page: string): Promise<[number, number]>;
  topPages(ranking: string, total: string, limit: number): Promise<[number, string[]]>;
}

export class RedisStore implements ViewStore {
  readonly kind = 'redis';
  private readonly redis: ScriptedRedis;
  private readonly keys: RedisKeys;
  private readonly warnings: FoldedWarnings;
  /** The last error the connection reported, until it is ready again: the real cause while it is down. */
  private connectionProblem: Error | undefined;
  /** The views of one event-loop turn, sent as one RECORD_VIEWS call. */
  private readonly viewBatches = new GroupCommit<ViewToRecord, RecordedView>(MAX_VIEWS_PER_BATCH, (views) => this.recordViews(views));

  constructor(private readonly options: RedisStoreOptions) {
    this.keys = redisKeys(options.keyPrefix);
    this.warnings = new FoldedWarnings(options.logger);
    const { url, ...credentials } = redisConnection(options.url, options.username, options.password);
    this.redis = new Redis(url, {
      ...credentials,
      // CLIENT SETINFO only labels the connection, and a least-privilege ACL user need not be allowed it.
      disableClientInfo: true,
      // Fail fast instead of queueing while Redis is away: a request gets a 503 at once, memory stays bounded.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2000,
      // Reconnect forever, at most a second apart, so the service heals itself when Redis returns.
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
      // Requests arriving in the same tick share one write to the socket.
      enableAutoPipelining: true,
    }) as ScriptedRedis;
    // No numberOfKeys: a batch's key count depends on which of its views carry an idempotency key.
    this.redis.defineCommand('recordViews', { lua: RECORD_VIEWS });
    this.redis.defineCommand('pageStats', { numberOfKeys: 2, lua: PAGE_STATS });
    this.redis.defineCommand('topPages', { numberOfKeys: 2, lua: TOP_PAGES });
    this.watchConnection();
  }

  private watchConnection(): void {
    const { logger } = this.options;
    this.redis.on('ready', () => {
      this.connectionProblem = undefined;
      logger.info('redis connection ready');
    });
    // Without a listener ioredis would print every failed reconnect (one a second while Redis is away).
    this.redis.on('error', (error: Error) => {
      this.connectionProblem = error;
      this.warnings.warn('redis connection error', { err: error.message });
    });
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

  private async timed<T>(command: string, run: () => Promise<T>): Promise<T> {
    const { redisCommandDuration, redisErrors } = this.options.metrics;
    const started = process.hrtime.bigint();
    // ioredis's commandTimeout alone is not a bound on waiting: auto-pipelining sends one batch at
    // a time, so behind a stalled batch a command could wait two timeouts. This deadline is the bound.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${this.options.commandTimeoutMs} ms`)), this.options.commandTimeoutMs);
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
  private async recordViews(views: readonly ViewToRecord[]): Promise<Array<ItemOutcome<RecordedView>>> {
    const budget = this.options.budget ?? NO_BUDGET;
    // One instant for the whole batch: every view of it falls in the same budget windows.
    const now = (this.options.now ?? Date.now)();
    const context: RefusalContext = {
      maxPages: this.options.maxPages,
      viewsWindow: budgetWindow(now, budget.viewsWindowMs),
      newPagesWindow: budgetWindow(now, budget.newPagesWindowMs),
    };
    const budgetOn = budget.viewsPerWindow > 0 || budget.newPagesPerWindow > 0;
    const keys: string[] = [this.keys.ranking, this.keys.total];
    const args: Array<string | number> = [
      this.options.maxPages,
      this.options.idempotencyWindowMs ?? IDEMPOTENCY_WINDOW_MS,
      budget.viewsPerWindow,
      context.viewsWindow.remainingMs,
      budget.newPagesPerWindow,
      context.newPagesWindow.remainingMs,
    ];
    for (const { page, visitorId, idempotencyKey, client, mayCreatePage } of views) {
      keys.push(this.keys.visitors(page));
      if (idempotencyKey !== undefined) keys.push(this.keys.idempotency(idempotencyKey));
      const budgeted = budgetOn && client !== undefined;
      if (budgeted) keys.push(this.keys.viewsBudget(client, context.viewsWindow.index), this.keys.newPagesBudget(client, context.newPagesWindow.index));
      args.push(page, visitorId, idempotencyKey === undefined ? 0 : 1, budgeted ? 1 : 0, mayCreatePage === false ? 0 : 1);
    }
    const reply = await this.timed('record_views', () => this.redis.recordViews(keys.length, ...keys, ...args));
    // A reply of another shape means the script and this code disagree (a bug, not an outage): a 500, logged.
    if (reply.length !== 3 * views.length || !reply.every((value) => Number.isInteger(value))) {
      throw new Error(`RECORD_VIEWS answered ${JSON.stringify(reply)} for ${views.length} views`);
    }
    return views.map(({ page }, i) => {
      const [outcome, viewCount, visitors] = reply.slice(3 * i, 3 * i + 3) as [number, number, number];
      if (!isViewOutcome(outcome)) throw new Error(`RECORD_VIEWS answered the unknown outcome ${outcome}`);
      try {
        return { ok: true, value: recordedView(page, { outcome, views: viewCount, visitors }, context) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }

  async getPage(page: string): Promise<PageStats> {
    const [views, visitors] = await this.timed('page_stats', () => this.redis.pageStats(this.keys.ranking, this.keys.visitors(page), page));
    return pageStats(page, views, visitors);
  }

  async topPages(limit: number): Promise<TopPages> {
    const [total, ranked] = await this.timed('top_pages', () => this.redis.topPages(this.keys.ranking, this.keys.total, limit));
    const pages: TopPages['pages'] = [];
    for (let i = 0; i + 1 < ranked.length; i += 2) pages.push({ page: ranked[i] ?? '', views: Number(ranked[i + 1]) });
    return { pages, total };
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
