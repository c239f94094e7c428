// The seam between HTTP handlers and storage: the Redis store and the in-memory default both
// implement it, and one contract test suite runs against both. The rules of a view write (the order of
// the checks, what each outcome means) are in VIEW-WRITE.md beside this file.
import { IdempotencyKeyReusedError, PageLimitReachedError } from '../errors.js';

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

/** One view to count. */
export interface ViewToRecord {
  page: string;
  visitorId: string;
  /** The client's Idempotency-Key (already validated): the view counts at most once per key within the idempotency window. */
  idempotencyKey?: string | undefined;
}

export interface RecordedView {
  stats: PageStats;
  /** True when the idempotency key had been seen: `stats` are the first answer's figures and nothing was counted. */
  replayed: boolean;
}

/** How long an idempotency key is remembered: a retry within it is answered from the first write. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * What became of one view, as both stores report it (the Redis script returns these numbers, so they are
 * part of its result layout and must not be renumbered while a script with the old numbers may run).
 */
export const VIEW_OUTCOME = {
  counted: 0,
  /** The idempotency key was seen for this page: the figures are the first answer's, nothing is counted. */
  duplicate: 1,
  /** A new page while MAX_PAGES pages exist: nothing is counted. */
  pageLimit: 2,
  /** The idempotency key was seen for another page: nothing is counted. */
  keyReused: 3,
} as const;

export type ViewOutcome = (typeof VIEW_OUTCOME)[keyof typeof VIEW_OUTCOME];

const KNOWN_OUTCOMES: ReadonlySet<number> = new Set(Object.values(VIEW_OUTCOME));

export function isViewOutcome(value: number): value is ViewOutcome {
  return KNOWN_OUTCOMES.has(value);
}

/** One view's outcome and figures (for a refused view the figures are 0), as a store computed them. */
export interface ViewResult {
  outcome: ViewOutcome;
  views: number;
  visitors: number;
}

/** Turns a store's outcome into the answer for the caller, or the error it maps to. Both stores go through here. */
export function recordedView(page: string, result: ViewResult, maxPages: number): RecordedView {
  switch (result.outcome) {
    case VIEW_OUTCOME.counted:
      return { stats: pageStats(page, result.views, result.visitors), replayed: false };
    case VIEW_OUTCOME.duplicate:
      return { stats: pageStats(page, result.views, result.visitors), replayed: true };
    case VIEW_OUTCOME.pageLimit:
      throw new PageLimitReachedError(maxPages);
    case VIEW_OUTCOME.keyReused:
      throw new IdempotencyKeyReusedError();
  }
}

export interface ViewStore {
  readonly kind: 'redis' | 'memory';
  /**
   * Counts one view atomically (page, total, ranking, visitors, and the idempotency key when given), or
   * answers the first write's figures for a key already seen; throws PageLimitReachedError,
   * IdempotencyKeyReusedError or StoreUnavailableError.
   */
  recordView(view: ViewToRecord): Promise<RecordedView>;
  getPage(page: string): Promise<PageStats>;
  topPages(limit: number): Promise<TopPages>;
  /** Resolves when the backing store answers; readiness polls it. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
