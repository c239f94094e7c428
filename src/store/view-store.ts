// The seam between HTTP handlers and storage: the Redis store and the in-memory default both
// implement it, and one contract test suite runs against both.

export interface PageStats {
  page: string;
  views: number;
  /** Distinct visitors, never more than `views`. */
  visitors: number;
}

/**
 * Every PageStats answer is built here. Redis estimates visitors with a HyperLogLog (about 0.8% standard
 * error), which can overshoot: 128 distinct visitors can read as 129. A page cannot have had more visitors
 * than views, so the estimate is capped at the exact view count.
 */
export function pageStats(page: string, views: number, visitors: number): PageStats {
  return { page, views, visitors: Math.min(visitors, views) };
}

export interface TopPages {
  pages: Array<{ page: string; views: number }>;
  total: number;
}

export interface ViewStore {
  readonly kind: 'redis' | 'memory';
  /** Counts one view atomically (page, total, ranking, visitors) or throws PageLimitReachedError / StoreUnavailableError. */
  recordView(page: string, visitorId: string): Promise<PageStats>;
  getPage(page: string): Promise<PageStats>;
  topPages(limit: number): Promise<TopPages>;
  /** Resolves when the backing store answers; readiness polls it. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
