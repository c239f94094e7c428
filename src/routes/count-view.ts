import { budgetClientOf } from '../client-address.js';
import type { AppContext, AppDeps } from '../context.js';
import { ViewRefusedError } from '../errors.js';
import { idempotencyKeyOf, REPLAYED_HEADER } from '../idempotency-key.js';
import { HOME_PAGE } from '../page.js';
import type { PageStats } from '../store/view-store.js';
import { uncountedReason } from '../uncounted.js';

/** Shared by GET / and POST /api/views/{page}: one atomic store write, then the counter. */
export async function countView({ store, metrics, visitors, config }: AppDeps, ctx: AppContext, page: string): Promise<PageStats> {
  const uncounted = uncountedReason(ctx, config);
  if (uncounted !== undefined) {
    metrics.viewsDropped.inc({ reason: uncounted });
    return store.getPage(page);
  }
  // Checked first, so that a refused key does not even hand out a visitor cookie.
  const idempotencyKey = idempotencyKeyOf(ctx);
  // The home page is the service's own and always exists; PAGE_PATTERN is about the site's pages.
  const mayCreatePage = config.pagePattern === undefined || page === HOME_PAGE || config.pagePattern.test(page);
  let recorded;
  try {
    recorded = await store.recordView({ page, visitorId: await visitors.idOf(ctx), idempotencyKey, client: budgetClientOf(ctx.ip), mayCreatePage });
  } catch (error) {
    if (error instanceof ViewRefusedError) metrics.viewsDropped.inc({ reason: error.dropReason });
    throw error;
  }
  if (recorded.replayed) {
    ctx.set(REPLAYED_HEADER, 'true');
    metrics.viewsDropped.inc({ reason: 'duplicate' });
  } else {
    metrics.viewsTotal.inc();
  }
  return recorded.stats;
}
