import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PageLimitReachedError, StoreUnavailableError } from '../errors.js';
import { FoldedWarnings } from '../folded-warnings.js';
import type { Metrics } from '../metrics.js';
import { PAGE_STATS, RECORD_VIEW, TOP_PAGES } from './redis-scripts.js';
import { pageStats, type PageStats, type TopPages, type ViewStore } from './view-store.js';

export interface RedisStoreOptions {
  url: string;
  password: string | undefined;
  keyPrefix: string;
  commandTimeoutMs: number;
  maxPages: number;
  metrics: Metrics;
  logger: Logger;
}

// The commands defineCommand adds at run time.
interface ScriptedRedis extends Redis {
  recordView(ranking: string, total: string, visitors: string, page: string, visitorId: string, maxPages: number): Promise<number | [number, number]>;
  pageStats(ranking: string, visitors: string, page: string): Promise<[number, number]>;
  topPages(ranking: string, total: string, limit: number): Promise<[number, string[]]>;
}

export class RedisStore implements ViewStore {
  readonly kind = 'redis';
  private readonly redis: ScriptedRedis;
  private readonly rankingKey: string;
  private readonly totalKey: string;
  private readonly warnings: FoldedWarnings;
  /** The last error the connection reported, until it is ready again: the real cause while it is down. */
  private connectionProblem: Error | undefined;

  constructor(private readonly options: RedisStoreOptions) {
    this.rankingKey = `${options.keyPrefix}ranking`;
    this.totalKey = `${options.keyPrefix}total`;
    this.warnings = new FoldedWarnings(options.logger);
    this.redis = new Redis(options.url, {
      ...(options.password === undefined ? {} : { password: options.password }),
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
    this.redis.defineCommand('recordView', { numberOfKeys: 3, lua: RECORD_VIEW });
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

  private visitorsKey(page: string): string {
    return `${this.options.keyPrefix}visitors:${page}`;
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

  async recordView(page: string, visitorId: string): Promise<PageStats> {
    const reply = await this.timed('record_view', () =>
      this.redis.recordView(this.rankingKey, this.totalKey, this.visitorsKey(page), page, visitorId, this.options.maxPages),
    );
    if (reply === -1 || typeof reply === 'number') throw new PageLimitReachedError(this.options.maxPages);
    return pageStats(page, reply[0], reply[1]);
  }

  async getPage(page: string): Promise<PageStats> {
    const [views, visitors] = await this.timed('page_stats', () => this.redis.pageStats(this.rankingKey, this.visitorsKey(page), page));
    return pageStats(page, views, visitors);
  }

  async topPages(limit: number): Promise<TopPages> {
    const [total, ranked] = await this.timed('top_pages', () => this.redis.topPages(this.rankingKey, this.totalKey, limit));
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
