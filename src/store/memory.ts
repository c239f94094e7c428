import { PageLimitReachedError } from '../errors.js';
import { pageStats, type PageStats, type TopPages, type ViewStore } from './view-store.js';

// The embedded default for a first run: same behaviour as Redis, counts lost on restart.
// Visitors are counted exactly here (a Set), where Redis estimates them with HyperLogLog.
export class MemoryStore implements ViewStore {
  readonly kind = 'memory';
  private readonly views = new Map<string, number>();
  private readonly visitors = new Map<string, Set<string>>();
  private total = 0;

  constructor(private readonly maxPages: number) {}

  recordView(page: string, visitorId: string): Promise<PageStats> {
    const current = this.views.get(page);
    if (current === undefined && this.views.size >= this.maxPages) {
      return Promise.reject(new PageLimitReachedError(this.maxPages));
    }
    this.views.set(page, (current ?? 0) + 1);
    this.total += 1;
    let seen = this.visitors.get(page);
    if (seen === undefined) {
      seen = new Set();
      this.visitors.set(page, seen);
    }
    seen.add(visitorId);
    return this.getPage(page);
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
