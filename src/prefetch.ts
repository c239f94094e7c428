import type { AppContext } from './context.js';

/**
 * True for a speculative request: a link prefetch or prerender the browser makes before (and often without)
 * anyone seeing the page. Browsers say so in `Sec-Purpose: prefetch` (Chromium and Firefox today, with
 * parameters such as `prefetch;prerender`) or the older `Purpose: prefetch`. Such a request is answered with
 * the figures but not counted: counting it would count views no one made.
 */
export function isPrefetch(ctx: AppContext): boolean {
  return [ctx.get('Sec-Purpose'), ctx.get('Purpose')].some((value) =>
    value.split(',').some((item) => item.split(';')[0]?.trim().toLowerCase() === 'prefetch'),
  );
}
