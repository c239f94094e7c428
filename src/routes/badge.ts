import type { Router } from '@koa/router';
import type { AppContext, AppDeps } from '../context.js';
import { InvalidQueryError } from '../errors.js';
import { escapeHtml, plural } from '../html.js';
import { parsePageName } from '../page.js';
import { countView } from './count-view.js';

const PREFIX = '/badge/';
// Image proxies (GitHub's among them) cache unless told not to: a badge must show the current count.
export const BADGE_CACHE_CONTROL = 'no-cache, no-store, must-revalidate';
const SUFFIX = '.svg';
const LABEL = 'views';
// Verdana 11px, as most badges use: about 7 px per character plus 5 px of padding on each side.
const CHARACTER_WIDTH = 7;
const PADDING = 10;

/** The page of `/badge/{page}.svg`, from the raw path like the API's, or a 400 with the same rule. */
function pageOf(ctx: AppContext): string {
  const raw = ctx.path.slice(PREFIX.length);
  return parsePageName(raw.endsWith(SUFFIX) ? raw.slice(0, -SUFFIX.length) : raw);
}

/** `?count=true` counts a view; absent or `false` only reads. */
function countsView(ctx: AppContext): boolean {
  const raw = ctx.query.count;
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new InvalidQueryError('count must be true (count a view) or false (only read), once', 'count');
}

export function badgeSvg(page: string, views: number): string {
  const value = String(views);
  const labelWidth = LABEL.length * CHARACTER_WIDTH + PADDING;
  const valueWidth = value.length * CHARACTER_WIDTH + PADDING;
  const width = labelWidth + valueWidth;
  const title = escapeHtml(`${page}: ${plural(views, 'view', 'views')}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}">
<title>${title}</title>
<rect width="${labelWidth}" height="20" fill="#555"/>
<rect x="${labelWidth}" width="${valueWidth}" height="20" fill="#1f5fa8"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="${labelWidth / 2}" y="14">${LABEL}</text>
<text x="${labelWidth + valueWidth / 2}" y="14">${value}</text>
</g>
</svg>
`;
}

export function badgeRoutes(router: Router, deps: AppDeps): void {
  // For READMEs and pages where no script runs: an image of the page's views.
  router.get('/badge/:page.svg', '/badge/{*page}', async (ctx: AppContext) => {
    if (!ctx.path.endsWith(SUFFIX)) {
      ctx.status = 404;
      return;
    }
    const page = pageOf(ctx);
    const stats = countsView(ctx) ? await countView(deps, ctx, page) : await deps.store.getPage(page);
    ctx.set('Cache-Control', BADGE_CACHE_CONTROL);
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    // Opened on its own, an SVG is a document: this one needs nothing but itself, and no other site may
    // frame it (an <img> is not a frame, so embedding the badge as an image is untouched).
    ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    ctx.type = 'image/svg+xml; charset=utf-8';
    ctx.body = badgeSvg(page, stats.views);
  });
}
