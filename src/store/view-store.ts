// The seam between HTTP handlers and storage: the Redis store and the in-memory default both
// implement it, and one contract test suite runs against both. The rules of a view write (the order of
// the checks, what each outcome means) are in VIEW-WRITE.md beside this file.
import type { DayRange } from '../days.js';
import type { PortablePage } from './portable.js';
import { IdempotencyKeyReusedError, NewPageQuotaError, PageLimitReachedError, PageOutsidePatternError, RateLimitedError } from '../errors.js';

export interface PageStats {
  page: string;
  views: number;
  /** Distinct visitors, never more than `views`; null when visitors are not counted (VISITOR_MODE=off). */
  visitors: number | null;
}

/**
 * Every PageStats answer is built here. Redis estimates visitors with a HyperLogLog (about 0.8% standard
 * error), which can overshoot: 128 distinct visitors can read as 129. A page cannot have had more visitors
 * than views, so the estimate is capped at the exact view count.
 */
export function pageStats(page: string, views: number, visitors: number | null): PageStats {
  return { page, views, visitors: visitors === null ? null : Math.min(visitors, views) };
}

export interface TopPages {
  pages: Array<{ page: string; views: number }>;
  total: number;
}

/** Views on one UTC day. */
export interface DayViews {
  day: string;
  views: number;
}

/** A page over a range of UTC days: its views each day, and in the range its views and distinct visitors. */
export interface PageRange extends PageStats, DayRange {
  days: DayViews[];
}

/** Built here for both stores, so that the range's visitors are capped at its views as pageStats caps them. */
export function pageRange(page: string, range: DayRange, days: DayViews[], visitors: number | null): PageRange {
  const views = days.reduce((sum, day) => sum + day.views, 0);
  return { ...pageStats(page, views, visitors), ...range, days };
}

/** The top pages over a range of UTC days, and all pages' views each day and in total. */
export interface TopPagesRange extends TopPages, DayRange {
  days: DayViews[];
}

/** Built here for both stores: the range's total is the sum of its days. */
export function topPagesRange(range: DayRange, pages: TopPages['pages'], days: DayViews[]): TopPagesRange {
  return { ...range, pages, total: days.reduce((sum, day) => sum + day.views, 0), days };
}

/** One view to count. */
export interface ViewToRecord {
  page: string;
  /** Ignored by a store that does not count visitors (VISITOR_MODE=off), which is given ''. */
  visitorId: string;
  /** The client's Idempotency-Key (already validated): the view counts at most once per key within the idempotency window. */
  idempotencyKey?: string | undefined;
  /**
   * Who sent the view, as the abuse budget tells clients apart (`budgetClientOf` in client-address.ts); a view
   * without one is not budgeted.
   */
  client?: string | undefined;
  /** False when the view may count only an existing page (the page is outside PAGE_PATTERN); true when absent. */
  mayCreatePage?: boolean | undefined;
}

export interface RecordedView {
  stats: PageStats;
  /** True when the idempotency key had been seen: `stats` are the first answer's figures and nothing was counted. */
  replayed: boolean;
}

/** How long a day's visitor salt is kept: through that day and the next, whenever in the day it was made. */
export const VISITOR_SALT_LIFETIME_MS = 48 * 60 * 60 * 1000;

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
  /** The client has had its views per window counted already: nothing is counted. */
  rateLimited: 4,
  /** The view would create a page, and the client has created its new pages per window already: nothing is counted. */
  newPageQuota: 5,
  /** The view would create a page that may not be created (outside PAGE_PATTERN): nothing is counted. */
  pageOutsidePattern: 6,
} as const;

type ViewOutcome = (typeof VIEW_OUTCOME)[keyof typeof VIEW_OUTCOME];

const KNOWN_OUTCOMES: ReadonlySet<number> = new Set(Object.values(VIEW_OUTCOME));

export function isViewOutcome(value: number): value is ViewOutcome {
  return KNOWN_OUTCOMES.has(value);
}

/** One view's outcome and figures (for a refused view the figures are 0), as a store computed them. */
export interface ViewResult {
  outcome: ViewOutcome;
  views: number;
  /** null from a store that does not count visitors. */
  visitors: number | null;
}

/**
 * The per-client limits of the view write (VIEW-WRITE.md, "Abuse budget"): fixed windows, counted in the same
 * atomic write as the view. A limit of 0 turns that budget off.
 */
export interface ViewBudget {
  /** Views counted per client per views window. */
  viewsPerWindow: number;
  viewsWindowMs: number;
  /** Pages a client may create per new-pages window. */
  newPagesPerWindow: number;
  newPagesWindowMs: number;
}

export const VIEWS_WINDOW_MS = 60 * 1000;
export const NEW_PAGES_WINDOW_MS = 60 * 60 * 1000;

/** No budget: what a store does when it is given none (tests of other rules, a view without a client). */
export const NO_BUDGET: ViewBudget = { viewsPerWindow: 0, viewsWindowMs: VIEWS_WINDOW_MS, newPagesPerWindow: 0, newPagesWindowMs: NEW_PAGES_WINDOW_MS };

/** One fixed window of a budget at an instant: its number (part of the budget key's name) and how long it still runs. */
interface BudgetWindow {
  index: number;
  remainingMs: number;
}

export function budgetWindow(now: number, windowMs: number): BudgetWindow {
  const index = Math.floor(now / windowMs);
  return { index, remainingMs: (index + 1) * windowMs - now };
}

/** What a refusal needs to say besides the outcome: the page cap, and how long until each budget window ends. */
export interface RefusalContext {
  maxPages: number;
  viewsWindow: BudgetWindow;
  newPagesWindow: BudgetWindow;
}

/** Whole seconds until a window ends, for Retry-After: never 0, which would invite an immediate retry into the same window. */
function secondsLeft(window: BudgetWindow): number {
  return Math.max(1, Math.ceil(window.remainingMs / 1000));
}

/** Turns a store's outcome into the answer for the caller, or the error it maps to. Both stores go through here. */
export function recordedView(page: string, result: ViewResult, context: RefusalContext): RecordedView {
  switch (result.outcome) {
    case VIEW_OUTCOME.counted:
      return { stats: pageStats(page, result.views, result.visitors), replayed: false };
    case VIEW_OUTCOME.duplicate:
      return { stats: pageStats(page, result.views, result.visitors), replayed: true };
    case VIEW_OUTCOME.pageLimit:
      throw new PageLimitReachedError(context.maxPages);
    case VIEW_OUTCOME.keyReused:
      throw new IdempotencyKeyReusedError();
    case VIEW_OUTCOME.rateLimited:
      throw new RateLimitedError(secondsLeft(context.viewsWindow));
    case VIEW_OUTCOME.newPageQuota:
      throw new NewPageQuotaError(secondsLeft(context.newPagesWindow));
    case VIEW_OUTCOME.pageOutsidePattern:
      throw new PageOutsidePatternError();
  }
}

export interface ViewStore {
  readonly kind: 'redis' | 'memory';
  /**
   * Counts one view atomically (page, total, ranking, visitors, and the idempotency key when given), or
   * answers the first write's figures for a key already seen; throws a ViewRefusedError (page cap, reused
   * key, abuse budget, page pattern) or StoreUnavailableError.
   */
  recordView(view: ViewToRecord): Promise<RecordedView>;
  getPage(page: string): Promise<PageStats>;
  topPages(limit: number): Promise<TopPages>;
  /** A page's views per UTC day of the range (checked by the caller: in order, at most MAX_RANGE_DAYS). */
  pageRange(page: string, range: DayRange): Promise<PageRange>;
  /**
   * The top pages over the range, as topPages ranks them (ties by name, descending), with each day's total. A
   * limit of 0 reads only the days' totals, which is much cheaper (no union of the days' rankings).
   */
  topPagesRange(range: DayRange, limit: number): Promise<TopPagesRange>;
  /**
   * The salt of a UTC day for cookieless visitor ids: the one already made for that day, or else `candidate`,
   * kept from now on for VISITOR_SALT_LIFETIME_MS. Every replica thus keys the day's ids with the same salt.
   */
  visitorSalt(day: string, candidate: string): Promise<string>;
  /** Every page with its total, visitors and the days it was viewed within the retention (portable.ts, docs/data.md). */
  exportPages(): Promise<PortablePage[]>;
  /**
   * Sets each page to the figures given, all at once (checked beforehand by parseImport): its total, its
   * visitors when a visitorState is given, and each day given; the totals move by the difference, so
   * importing the same pages again changes nothing.
   */
  importPages(pages: readonly PortablePage[]): Promise<void>;
  /** Forgets one page (total, ranking entry, visitors, days), taking its views off the totals; answers its figures before. */
  resetPage(page: string): Promise<PageStats>;
  /** Resolves when the backing store answers; readiness polls it. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The counting rules both stores take, so that the embedded store and Redis count alike. */
export interface ViewStoreRules {
  maxPages: number;
  /** How long an Idempotency-Key is remembered; IDEMPOTENCY_WINDOW_MS unless a test shortens it. */
  idempotencyWindowMs?: number;
  /** The per-client limits; NO_BUDGET when absent. */
  budget?: ViewBudget;
  /** How many days after its end a day's counts are kept (VIEW_RETENTION_DAYS); DEFAULT_RETENTION_DAYS when absent. */
  retentionDays?: number;
  /** The clock idempotency keys, budget windows and UTC days run by, in ms since the epoch; tests pass their own. */
  now?: () => number;
  /** False (VISITOR_MODE=off): no visitor is kept or read, and every visitors figure is null. True when absent. */
  countVisitors?: boolean;
}
