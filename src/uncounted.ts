// Requests to a counting route that are answered as usual but not counted as a view, and why: each reason is
// a label of page_tracker_views_dropped_total, so an operator sees what was left out.
import { isbot } from 'isbot';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { isPrefetch } from './prefetch.js';

/** The rules an operator chooses (IGNORE_BOTS, RESPECT_DNT); a prefetch is never counted. */
type UncountedRules = Pick<Config, 'ignoreBots' | 'respectDnt'>;

/**
 * Why this request is not a view, or undefined when it is one. A bot is recognised by its User-Agent with
 * isbot's list, which its maintainers keep up with the crawlers seen in the wild (a list of our own would
 * fall behind). `DNT: 1` and `Sec-GPC: 1` are the browser settings a person uses to ask not to be tracked.
 */
export function uncountedReason(ctx: AppContext, rules: UncountedRules): 'prefetch' | 'bot' | 'do_not_track' | undefined {
  if (isPrefetch(ctx)) return 'prefetch';
  if (rules.ignoreBots && isbot(ctx.get('User-Agent'))) return 'bot';
  if (rules.respectDnt && (ctx.get('DNT').trim() === '1' || ctx.get('Sec-GPC').trim() === '1')) return 'do_not_track';
  return undefined;
}
