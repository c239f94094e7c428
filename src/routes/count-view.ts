import type { AppContext, AppDeps } from '../context.js';
import { idempotencyKeyOf, REPLAYED_HEADER } from '../idempotency-key.js';
import type { PageStats } from '../store/view-store.js';
import { visitorId } from '../visitor.js';

/** Shared by GET / and POST /api/views/{page}: one atomic store write, then the counter. */
export async function countView({ store, metrics }: AppDeps, ctx: AppContext, page: string): Promise<PageStats> {
  // Checked first, so that a refused key does not even hand out a visitor cookie.
  const idempotencyKey = idempotencyKeyOf(ctx);
  const { stats, replayed } = await store.recordView({ page, visitorId: visitorId(ctx), idempotencyKey });
  if (replayed) {
    ctx.set(REPLAYED_HEADER, 'true');
  } else {
    metrics.viewsTotal.inc();
  }
  return stats;
}
