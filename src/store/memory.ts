import { dayKeyLifetimeMs, dayOf, daysFrom, DEFAULT_RETENTION_DAYS, startOfDay, type DayRange } from '../days.js';
import { retainedDays, type PortableDay, type PortablePage, type VisitorState } from './portable.js';
import {
  budgetWindow,
  IDEMPOTENCY_WINDOW_MS,
  NO_BUDGET,
  pageRange,
  pageStats,
  recordedView,
  VIEW_OUTCOME,
  VISITOR_SALT_LIFETIME_MS,
  type PageRange,
  type PageStats,
  type RecordedView,
  type RefusalContext,
  type TopPages,
  topPagesRange,
  type TopPagesRange,
  type ViewBudget,
  type ViewResult,
  type ViewStore,
  type ViewToRecord,
  type ViewStoreRules,
} from './view-store.js';

/** One UTC day's counts, as Redis keeps them under day:<date>:*, and when they are deleted. */
interface DayCounts {
  total: number;
  views: Map<string, number>;
  visitors: Map<string, Set<string>>;
  expiresAt: number;
}

/** The order of Redis's ZREVRANGE: by views, ties by name descending. */
function ranked(views: Iterable<[string, number]>, limit: number): TopPages['pages'] {
  return [...views]
    .sort(([pageA, a], [pageB, b]) => b - a || (pageA < pageB ? 1 : pageA > pageB ? -1 : 0))
    .slice(0, limit)
    .map(([page, count]) => ({ page, views: count }));
}

/** Adds one visitor to the set kept for a page in `sets`, creating it; answers the set. */
function addVisitor(sets: Map<string, Set<string>>, page: string, visitorId: string): Set<string> {
  let seen = sets.get(page);
  if (seen === undefined) {
    seen = new Set();
    sets.set(page, seen);
  }
  seen.add(visitorId);
  return seen;
}

/**
 * One budget's counters, as Redis keeps them under budget:<kind>:<client>:<window>: a count per client and
 * window, forgotten when its window ends. All counters of one budget end in the order they were created
 * (the windows follow the clock), so expired ones are found at the front.
 */
class BudgetCounters {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();

  constructor(private readonly limit: number) {}

  spent(client: string, window: number, now: number): boolean {
    this.forgetExpired(now);
    return this.limit > 0 && (this.counters.get(`${client} ${window}`)?.count ?? 0) >= this.limit;
  }

  spend(client: string, window: number, now: number, remainingMs: number): void {
    if (this.limit === 0) return;
    const key = `${client} ${window}`;
    const counter = this.counters.get(key);
    if (counter === undefined) this.counters.set(key, { count: 1, expiresAt: now + remainingMs });
    else counter.count += 1;
  }

  private forgetExpired(now: number): void {
    for (const [key, counter] of this.counters) {
      if (counter.expiresAt > now) return;
      this.counters.delete(key);
    }
  }
}

/** The first answer for an idempotency key, as RECORD_VIEWS keeps it in Redis, and when it is forgotten. */
interface FirstAnswer {
  page: string;
  views: number;
  visitors: number | null;
  expiresAt: number;
}

// The embedded default for a first run: same behaviour as Redis, counts lost on restart.
// Visitors are counted exactly here (a Set), where Redis estimates them with HyperLogLog.
export class MemoryStore implements ViewStore {
  readonly kind = 'memory';
  private readonly views = new Map<string, number>();
  private readonly visitors = new Map<string, Set<string>>();
  /** The UTC day each page was first counted, as Redis keeps it in first-seen. */
  private readonly firstSeen = new Map<string, string>();
  /** In the order the keys were written, which is the order they expire in (one window for all). */
  private readonly firstAnswers = new Map<string, FirstAnswer>();
  private total = 0;
  /** By day, in the order the days were first written, which is the order they expire in. */
  private readonly days = new Map<string, DayCounts>();
  private readonly retentionDays: number;
  /** The cookieless visitor salts by day, as Redis keeps them under salt:<day>. */
  private readonly salts = new Map<string, { salt: string; expiresAt: number }>();
  private readonly maxPages: number;
  private readonly idempotencyWindowMs: number;
  private readonly budget: ViewBudget;
  private readonly viewsBudget: BudgetCounters;
  private readonly newPagesBudget: BudgetCounters;
  private readonly now: () => number;
  private readonly countVisitors: boolean;

  constructor(options: ViewStoreRules) {
    this.countVisitors = options.countVisitors ?? true;
    this.maxPages = options.maxPages;
    this.idempotencyWindowMs = options.idempotencyWindowMs ?? IDEMPOTENCY_WINDOW_MS;
    this.budget = options.budget ?? NO_BUDGET;
    this.viewsBudget = new BudgetCounters(this.budget.viewsPerWindow);
    this.newPagesBudget = new BudgetCounters(this.budget.newPagesPerWindow);
    this.now = options.now ?? Date.now;
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  }

  recordView(view: ViewToRecord): Promise<RecordedView> {
    const now = this.now();
    const context: RefusalContext = {
      maxPages: this.maxPages,
      viewsWindow: budgetWindow(now, this.budget.viewsWindowMs),
      newPagesWindow: budgetWindow(now, this.budget.newPagesWindowMs),
    };
    // The executor turns a refusal thrown by recordedView into a rejection, as the Redis store reports it.
    return new Promise((resolve) => resolve(recordedView(view.page, this.apply(view, now, context), context)));
  }

  /** The checks and the write of RECORD_VIEWS (redis-scripts.ts), in the same order, for one view. */
  private apply({ page, visitorId, idempotencyKey, client, mayCreatePage }: ViewToRecord, now: number, context: RefusalContext): ViewResult {
    const refused = (outcome: ViewResult['outcome']): ViewResult => ({ outcome, views: 0, visitors: 0 });
    this.forgetExpiredKeys(now);
    if (idempotencyKey !== undefined) {
      const first = this.firstAnswers.get(idempotencyKey);
      if (first !== undefined && first.expiresAt > now) {
        if (first.page !== page) return refused(VIEW_OUTCOME.keyReused);
        return { outcome: VIEW_OUTCOME.duplicate, views: first.views, visitors: first.visitors };
      }
    }
    const current = this.views.get(page);
    const isNew = current === undefined;
    const { viewsWindow, newPagesWindow } = context;
    if (client !== undefined && this.viewsBudget.spent(client, viewsWindow.index, now)) return refused(VIEW_OUTCOME.rateLimited);
    if (isNew && client !== undefined && this.newPagesBudget.spent(client, newPagesWindow.index, now)) return refused(VIEW_OUTCOME.newPageQuota);
    if (isNew && mayCreatePage === false) return refused(VIEW_OUTCOME.pageOutsidePattern);
    if (isNew && this.views.size >= this.maxPages) return refused(VIEW_OUTCOME.pageLimit);
    if (client !== undefined) {
      this.viewsBudget.spend(client, viewsWindow.index, now, viewsWindow.remainingMs);
      if (isNew) this.newPagesBudget.spend(client, newPagesWindow.index, now, newPagesWindow.remainingMs);
    }
    const views = (current ?? 0) + 1;
    this.views.set(page, views);
    if (isNew) this.firstSeen.set(page, dayOf(now));
    this.total += 1;
    const visitors = this.countVisitors ? addVisitor(this.visitors, page, visitorId).size : null;
    this.countDay(page, visitorId, now);
    if (idempotencyKey !== undefined) {
      // Deleted first so that the key moves to the end of the map, where the latest expiry belongs.
      this.firstAnswers.delete(idempotencyKey);
      this.firstAnswers.set(idempotencyKey, { page, views, visitors, expiresAt: now + this.idempotencyWindowMs });
    }
    return { outcome: VIEW_OUTCOME.counted, views, visitors };
  }

  /** Keeps memory bounded by the keys of one window: the oldest entries come first, so this stops at the first live one. */
  private forgetExpiredKeys(now: number): void {
    for (const [key, first] of this.firstAnswers) {
      if (first.expiresAt > now) return;
      this.firstAnswers.delete(key);
    }
  }

  private countDay(page: string, visitorId: string, now: number): void {
    const day = dayOf(now);
    // As in Redis, a day's counts that have expired are gone, and a write starts them afresh.
    let counts = this.dayCounts(day, now);
    if (counts === undefined) {
      counts = { total: 0, views: new Map(), visitors: new Map(), expiresAt: now + dayKeyLifetimeMs(now, this.retentionDays) };
      this.days.set(day, counts);
    }
    counts.total += 1;
    counts.views.set(page, (counts.views.get(page) ?? 0) + 1);
    if (this.countVisitors) addVisitor(counts.visitors, page, visitorId);
  }

  /** A day's counts while they are kept (the clock may pass their expiry between two writes). */
  private dayCounts(day: string, now: number): DayCounts | undefined {
    for (const [written, counts] of this.days) {
      if (counts.expiresAt > now) break;
      this.days.delete(written);
    }
    return this.days.get(day);
  }

  pageRange(page: string, range: DayRange): Promise<PageRange> {
    const now = this.now();
    const visitors = new Set<string>();
    const days = daysFrom(range.from, range.to).map((day) => {
      const counts = this.dayCounts(day, now);
      for (const visitor of counts?.visitors.get(page) ?? []) visitors.add(visitor);
      return { day, views: counts?.views.get(page) ?? 0 };
    });
    return Promise.resolve(pageRange(page, range, days, this.countVisitors ? visitors.size : null));
  }

  topPagesRange(range: DayRange, limit: number): Promise<TopPagesRange> {
    const now = this.now();
    const sums = new Map<string, number>();
    const days = daysFrom(range.from, range.to).map((day) => {
      const counts = this.dayCounts(day, now);
      if (limit > 0) for (const [page, views] of counts?.views ?? []) sums.set(page, (sums.get(page) ?? 0) + views);
      return { day, views: counts?.total ?? 0 };
    });
    return Promise.resolve(topPagesRange(range, ranked(sums, limit), days));
  }

  visitorSalt(day: string, candidate: string): Promise<string> {
    const now = this.now();
    const kept = this.salts.get(day);
    if (kept !== undefined && kept.expiresAt > now) return Promise.resolve(kept.salt);
    for (const [saltDay, { expiresAt }] of this.salts) if (expiresAt <= now) this.salts.delete(saltDay);
    this.salts.set(day, { salt: candidate, expiresAt: now + VISITOR_SALT_LIFETIME_MS });
    return Promise.resolve(candidate);
  }

  exportPages(): Promise<PortablePage[]> {
    const now = this.now();
    const kept = retainedDays(now, this.retentionDays);
    // Without visitor counting there is no visitor state to carry: the lines say visitors null and nothing else.
    const ids = (seen: Set<string> | undefined): VisitorState | undefined => (this.countVisitors ? { ids: [...(seen ?? [])] } : undefined);
    const pages = ranked(this.views, this.views.size).map(({ page, views }): PortablePage => {
      const days: PortableDay[] = [];
      for (const day of daysFrom(kept.from, kept.to)) {
        const counts = this.dayCounts(day, now);
        const dayViews = counts?.views.get(page) ?? 0;
        if (dayViews > 0) days.push({ day, views: dayViews, visitorState: ids(counts?.visitors.get(page)) });
      }
      const seen = this.visitors.get(page);
      return { page, views, visitors: this.statsOf(page).visitors, visitorState: ids(seen), firstSeen: this.firstSeen.get(page), days };
    });
    return Promise.resolve(pages);
  }

  importPages(pages: readonly PortablePage[]): Promise<void> {
    const now = this.now();
    for (const { page, views, visitorState, firstSeen, days } of pages) {
      this.total += views - (this.views.get(page) ?? 0);
      this.views.set(page, views);
      if (firstSeen === undefined) this.firstSeen.delete(page);
      else this.firstSeen.set(page, firstSeen);
      // Without visitor counting an imported visitor state is not kept (docs/data.md).
      if (this.countVisitors && visitorState !== undefined && 'ids' in visitorState) this.visitors.set(page, new Set(visitorState.ids));
      for (const { day, views: dayViews, visitorState: dayState } of days) {
        let counts = this.dayCounts(day, now);
        if (counts === undefined) {
          // The same moment RECORD_VIEWS gives a day's keys: the end of the day plus the retention.
          counts = { total: 0, views: new Map(), visitors: new Map(), expiresAt: startOfDay(day) + dayKeyLifetimeMs(startOfDay(day), this.retentionDays) };
          this.days.set(day, counts);
        }
        counts.total += dayViews - (counts.views.get(page) ?? 0);
        counts.views.set(page, dayViews);
        if (this.countVisitors && dayState !== undefined && 'ids' in dayState) counts.visitors.set(page, new Set(dayState.ids));
      }
    }
    this.keepDaysInExpiryOrder();
    return Promise.resolve();
  }

  /** An import may add days older than those kept: the days map must stay in expiry order for dayCounts. */
  private keepDaysInExpiryOrder(): void {
    const sorted = [...this.days].sort(([, a], [, b]) => a.expiresAt - b.expiresAt);
    this.days.clear();
    for (const [day, counts] of sorted) this.days.set(day, counts);
  }

  async resetPage(page: string): Promise<PageStats> {
    const before = await this.getPage(page);
    this.total -= before.views;
    this.views.delete(page);
    this.visitors.delete(page);
    this.firstSeen.delete(page);
    for (const counts of this.days.values()) {
      counts.total -= counts.views.get(page) ?? 0;
      counts.views.delete(page);
      counts.visitors.delete(page);
    }
    return before;
  }

  getPage(page: string): Promise<PageStats> {
    return Promise.resolve(this.statsOf(page));
  }

  private statsOf(page: string): PageStats {
    return pageStats(page, this.views.get(page) ?? 0, this.countVisitors ? (this.visitors.get(page)?.size ?? 0) : null);
  }

  topPages(limit: number): Promise<TopPages> {
    return Promise.resolve({ pages: ranked(this.views, limit), total: this.total });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
