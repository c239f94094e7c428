import type { AppContext } from '../context.js';

interface RoutedContext {
  _matchedRouteName?: string;
}

/** The route's name (@koa/router sets it on a match): its template, never the raw path; unmatched paths share one value. */
export function routeOf(ctx: AppContext): string {
  return (ctx as RoutedContext)._matchedRouteName ?? 'unmatched';
}
