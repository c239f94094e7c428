import type { Router } from '@koa/router';
import type { AppContext, AppDeps } from '../context.js';
import { MAX_RANGE_DAYS, MAX_TOP_RANGE_DAYS, requestedRange } from '../days.js';
import { InvalidQueryError } from '../errors.js';
import { parsePageName } from '../page.js';
import { countView } from './count-view.js';

const PREFIX = '/api/views/';
export const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 10;

// ctx.path is the raw, still-encoded path: the page is validated before anything decodes it.
function pageOf(ctx: AppContext): string {
  return parsePageName(ctx.path.slice(PREFIX.length));
}

function limitOf(ctx: AppContext): number {
  const raw = ctx.query.limit;
  if (raw === undefined) return DEFAULT_LIMIT;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw new InvalidQueryError(`limit must be a whole number from 1 to ${MAX_LIMIT}`, 'limit');
  }
  return Number(raw);
}

export function viewRoutes(router: Router, deps: AppDeps): void {
  router.get('/api/views', '/api/views', async (ctx: AppContext) => {
    ctx.set('Cache-Control', 'no-store');
    const range = requestedRange(ctx.query, deps.now(), MAX_TOP_RANGE_DAYS);
    const limit = limitOf(ctx);
    ctx.body = range === undefined ? await deps.store.topPages(limit) : await deps.store.topPagesRange(range, limit);
  });
  // The route name is the metric label and the documented template. `{*page}` also matches an empty
  // page, so that `POST /api/views/` is refused as a bad page name (400) rather than a wrong method.
  router.post('/api/views/:page', '/api/views/{*page}', async (ctx: AppContext) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await countView(deps, ctx, pageOf(ctx));
  });
  router.get('/api/views/:page', '/api/views/{*page}', async (ctx: AppContext) => {
    ctx.set('Cache-Control', 'no-store');
    const page = pageOf(ctx);
    const range = requestedRange(ctx.query, deps.now(), MAX_RANGE_DAYS);
    ctx.body = range === undefined ? await deps.store.getPage(page) : await deps.store.pageRange(page, range);
  });
}
