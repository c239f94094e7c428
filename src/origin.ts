// Which other sites may count views from their pages' scripts (ALLOWED_ORIGINS), and the CORS answers they get.
import cors from '@koa/cors';
import type { Next } from 'koa';
import type { AppContext } from './context.js';
import { InvalidOriginError, MethodNotAllowedError, OriginNotAllowedError } from './errors.js';
import { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from './idempotency-key.js';
import type { Metrics } from './metrics.js';
import { parseOrigin } from './origin-rule.js';

/** The routes other sites' pages may call: counting a view and reading the figures. */
const CROSS_ORIGIN_PREFIX = '/api/views';
/** The methods those routes serve; a preflight asking for any other is refused. */
export const CROSS_ORIGIN_METHODS = ['GET', 'HEAD', 'POST'] as const;
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

type OriginVerdict = 'none' | 'same' | 'allowed';

/**
 * The one decision about a request's Origin: absent (curl, a server, a same-origin GET), the service's own
 * host, or on the list; anything else is refused here, before a route can count a view. A browser cannot
 * forge Origin, so this decides which sites' pages count; a program can send any Origin or none, so it is
 * no defence against one.
 */
function checkOrigin(ctx: AppContext, allowed: ReadonlySet<string>): OriginVerdict {
  const offered = ctx.get('Origin');
  if (offered === '') return 'none';
  if (offered === 'null') throw new OriginNotAllowedError(offered);
  const origin = parseOrigin(offered);
  if (origin === undefined) throw new InvalidOriginError();
  // Compared by host only: behind a TLS-terminating proxy without TRUST_PROXY the service believes it
  // is served over http while the browser's Origin says https.
  if (new URL(origin).host === ctx.host) return 'same';
  if (!allowed.has(origin)) throw new OriginNotAllowedError(origin);
  return 'allowed';
}

/**
 * Whether the request is a view being counted: `POST /api/views/{page}`, or the preflight a browser sends
 * before that POST (pt.js's Idempotency-Key makes one). Refusing the preflight is what stops a browser's view
 * from a site not listed (the POST is never sent), so the preflight is the request whose refusal is the drop.
 */
function countsView(ctx: AppContext): boolean {
  if (!ctx.path.startsWith(`${CROSS_ORIGIN_PREFIX}/`)) return false;
  return ctx.method === 'POST' || (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method') === 'POST');
}

/**
 * Refuses foreign origins on the cross-origin routes and gives allowed ones their CORS headers and preflights.
 * A view refused for its origin is counted in page_tracker_views_dropped_total{reason="origin_refused"}.
 */
export function crossOrigin(allowedOrigins: readonly string[], metrics: Pick<Metrics, 'viewsDropped'>) {
  const allowed: ReadonlySet<string> = new Set(allowedOrigins);
  const corsHeaders = cors({
    // Only reached for an allowed origin: it is echoed, since a credentialed request may not get `*`.
    origin: (ctx) => ctx.get('Origin'),
    credentials: true,
    allowMethods: [...CROSS_ORIGIN_METHODS],
    allowHeaders: [IDEMPOTENCY_KEY_HEADER, 'Content-Type'],
    exposeHeaders: [REPLAYED_HEADER, 'Retry-After', 'X-Request-Id'],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  return async function crossOriginRequest(ctx: AppContext, next: Next): Promise<void> {
    if (ctx.path !== CROSS_ORIGIN_PREFIX && !ctx.path.startsWith(`${CROSS_ORIGIN_PREFIX}/`)) {
      await next();
      return;
    }
    ctx.vary('Origin');
    let verdict: OriginVerdict;
    try {
      verdict = checkOrigin(ctx, allowed);
    } catch (error) {
      if (error instanceof OriginNotAllowedError && countsView(ctx)) metrics.viewsDropped.inc({ reason: 'origin_refused' });
      throw error;
    }
    if (verdict !== 'allowed') {
      await next();
      return;
    }
    ctx.state.crossSite = true;
    const requested = ctx.get('Access-Control-Request-Method');
    if (ctx.method === 'OPTIONS' && requested !== '' && !CROSS_ORIGIN_METHODS.some((method) => method === requested)) {
      throw new MethodNotAllowedError(`${requested} is not served to other sites here; allowed: ${CROSS_ORIGIN_METHODS.join(', ')}`, CROSS_ORIGIN_METHODS);
    }
    await corsHeaders(ctx, next);
  };
}
