import {
  IDEMPOTENCY_WINDOW_MS,
  pageStats,
  recordedView,
  VIEW_OUTCOME,
  type PageStats,
  type RecordedView,
  type TopPages,
  type ViewResult,
  type ViewStore,
  type ViewToRecord,
} from './view-store.js';

export interface MemoryStoreOptions {
  maxPages: number;
  /** How long an Idempotency-Key is remembered; IDEMPOTENCY_WINDOW_MS unless a test shortens it. */
  idempotencyWindowMs?: number;
  /** The clock idempotency keys expire by, in ms since the epoch; tests pass their own. */
  now?: () => number;
}

/** The first answer for an idempotency key, as RECORD_VIEWS keeps it in Redis, and when it is forgotten. */
interface FirstAnswer {
  page: string;
  views: number;
  visitors: number;
  expiresAt: number;
}

// The embedded default for a first run: same behaviour as Redis, counts lost on restart.
// Visitors are counted exactly here (a Set), where Redis estimates them with HyperLogLog.
export class MemoryStore implements ViewStore {
  readonly kind = 'memory';
  private readonly views = new Map<string, number>();
  private readonly visitors = new Map<string, Set<string>>();
  /** In the order the keys were written, which is the order they expire in (one window for all). */
  private readonly firstAnswers = new Map<string, FirstAnswer>();
  private total = 0;
  private readonly maxPages: number;
  private readonly idempotencyWindowMs: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions) {
    this.maxPages = options.maxPages;
    this.idempotencyWindowMs = options.idempotencyWindowMs ?? IDEMPOTENCY_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  recordView(view: ViewToRecord): Promise<RecordedView> {
    // The executor turns a refusal thrown by recordedView into a rejection, as the Redis store reports it.
    return new Promise((resolve) => resolve(recordedView(view.page, this.apply(view), this.maxPages)));
  }

  /** The checks and the write of RECORD_VIEWS (redis-scripts.ts), in the same order, for one view. */
  private apply({ page, visitorId, idempotencyKey }: ViewToRecord): ViewResult {
    const now = this.now();
    this.forgetExpiredKeys(now);
    if (idempotencyKey !== undefined) {
      const first = this.firstAnswers.get(idempotencyKey);
      if (first !== undefined && first.expiresAt > now) {
        if (first.page !== page) return { outcome: VIEW_OUTCOME.keyReused, views: 0, visitors: 0 };
        return { outcome: VIEW_OUTCOME.duplicate, views: first.views, visitors: first.visitors };
      }
    }
    const current = this.views.get(page);
    if (current === undefined && this.views.size >= this.maxPages) return { outcome: VIEW_OUTCOME.pageLimit, views: 0, visitors: 0 };
    const views = (current ?? 0) + 1;
    this.views.set(page, views);
    this.total += 1;
    let seen = this.visitors.get(page);
    if (seen === undefined) {
      seen = new Set();
      this.visitors.set(page, seen);
    }
    seen.add(visitorId);
    if (idempotencyKey !== undefined) {
      // Deleted first so that the key moves to the end of the map, where the latest expiry belongs.
      this.firstAnswers.delete(idempotencyKey);
      this.firstAnswers.set(idempotencyKey, { page, views, visitors: seen.size, expiresAt: now + this.idempotencyWindowMs });
    }
    return { outcome: VIEW_OUTCOME.counted, views, visitors: seen.size };
  }

  /** Keeps memory bounded by the keys of one window: the oldest entries come first, so this stops at the first live one. */
  private forgetExpiredKeys(now: number): void {
    for (const [key, first] of this.firstAnswers) {
      if (first.expiresAt > now) return;
      this.firstAnswers.delete(key);
    }
  }

  getPage(page: string): Promise<PageStats> {
    return Promise.resolve(pageStats(page, this.views.get(page) ?? 0, this.visitors.get(page)?.size ?? 0));
  }

  topPages(limit: number): Promise<TopPages> {
    // Same order as Redis ZREVRANGE: by views, ties by name descending.
    const pages = [...this.views.entries()]
      .sort(([pageA, a], [pageB, b]) => b - a || (pageA < pageB ? 1 : pageA > pageB ? -1 : 0))
      .slice(0, limit)
      .map(([page, views]) => ({ page, views }));
    return Promise.resolve({ pages, total: this.total });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
