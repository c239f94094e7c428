import type { AppContext, AppDeps } from '../context.js';
import type { PageStats } from '../store/view-store.js';
import { visitorId } from '../visitor.js';

/** Shared by GET / and POST /api/views/{page}: one atomic store write, then the counter. */
export async function countView({ store, metrics }: AppDeps, ctx: AppContext, page: string): Promise<PageStats> {
  const stats = await store.recordView(page, visitorId(ctx));
  metrics.viewsTotal.inc();
  return stats;
}
