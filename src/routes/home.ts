import type { Router } from '@koa/router';
import type { VisitorMode } from '../config.js';
import type { AppContext, AppDeps } from '../context.js';
import { dayChart } from '../day-chart.js';
import { DEFAULT_RANGE_DAYS, lastDays } from '../days.js';
import { answerHtml, escapeHtml, FAVICON_SVG, htmlPage, plural } from '../html.js';
import { HOME_PAGE } from '../page.js';
import type { PageStats, TopPages, TopPagesRange, ViewStore } from '../store/view-store.js';
import { countView } from './count-view.js';

/** How many pages the home page ranks. */
const HOME_TOP_PAGES = 10;
/**
 * How long the home page reuses one ranking. Each home view is one Redis call (the group-committed view
 * write); a ranking read per view as well would double the calls on the busiest page for a table nobody
 * needs to the millisecond.
 */
export const HOME_RANKING_MAX_AGE_MS = 1000;

const ONE_DAY_SECONDS = 24 * 3600;

function rankingTable({ pages, total }: TopPages): string {
  const rows = pages
    .map(({ page, views }) => `<tr><td class="page"><code>${escapeHtml(page)}</code></td><td class="n">${views}</td></tr>`)
    .join('\n');
  return `<table>
<caption class="lead">${plural(total, 'view', 'views')} counted over all pages.</caption>
<thead><tr><th scope="col">page</th><th scope="col" class="n">views</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/** What the home page shows besides its own count, read together and reused together. */
interface HomeFigures {
  ranking: TopPages;
  /** The last DEFAULT_RANGE_DAYS days' totals (no ranking: limit 0). */
  recent: TopPagesRange;
}

/** How the home page says visitors are told apart, by VISITOR_MODE. */
const HOW_VISITORS_COUNT: Record<VisitorMode, string> = {
  cookie: 'each browser is one visitor, counted by an anonymous cookie',
  cookieless: 'each address and browser is one visitor a day, without cookies',
  off: 'visitors are not counted: no cookie, nothing about a visitor is kept',
};

function visitorsLine(visitors: number | null, mode: VisitorMode): string {
  if (visitors === null) return `<p class="lead">Views only (${HOW_VISITORS_COUNT[mode]}).</p>`;
  return `<p class="lead">By ${plural(visitors, 'visitor', 'visitors')} (${HOW_VISITORS_COUNT[mode]}).</p>`;
}

function homePage(stats: PageStats, { ranking, recent }: HomeFigures, origin: string, mode: VisitorMode): string {
  const base = escapeHtml(origin);
  return htmlPage(
    'page-tracker',
    `<h1>This page has been seen ${plural(stats.views, 'time', 'times')}.</h1>
${visitorsLine(stats.visitors, mode)}

<h2>The last ${recent.days.length} days</h2>
${dayChart(recent.days, 'recent')}

<h2>Top pages</h2>
${rankingTable(ranking)}

<h2>Count the pages of your site</h2>
<p>Add this tag to each page. It counts the page it is on, under its path (<code>/docs/intro</code> is counted as <code>docs/intro</code>):</p>
<pre><code>&lt;script src="${base}/pt.js" async&gt;&lt;/script&gt;</code></pre>
<p>To show the page's count, mark an element; the script writes the number into it:</p>
<pre><code>Seen &lt;span data-page-tracker&gt;&lt;/span&gt; times.</code></pre>
<p>The operator lists the sites allowed to count in <code>ALLOWED_ORIGINS</code>; other sites are refused.</p>

<h2>A badge, where no script runs</h2>
<p>A README or a forum post can show an image; add <code>?count=true</code> to count a view each time it is loaded:</p>
<pre><code>![views](${base}/badge/docs/intro.svg?count=true)</code></pre>

<h2>The API</h2>
<p>JSON for programs: <a href="/api/views">the ranking</a>, <code>POST /api/views/{page}</code> to count a view, and the whole API described in <a href="/openapi.json">OpenAPI</a>.</p>`,
  );
}

/** One read of the figures at a time, reused for HOME_RANKING_MAX_AGE_MS; a failed read is not kept. */
function cachedFigures(store: ViewStore, clock: () => number): () => Promise<HomeFigures> {
  let cached: { at: number; figures: Promise<HomeFigures> } | undefined;
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > HOME_RANKING_MAX_AGE_MS) {
      const figures = Promise.all([store.topPages(HOME_TOP_PAGES), store.topPagesRange(lastDays(DEFAULT_RANGE_DAYS, clock()), 0)]).then(([ranking, recent]) => ({ ranking, recent }));
      const entry = { at: now, figures };
      cached = entry;
      figures.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.figures;
  };
}

export function homeRoutes(router: Router, deps: AppDeps): void {
  const figures = cachedFigures(deps.store, deps.now);
  router.get('/', '/', async (ctx: AppContext) => {
    // HEAD asks about the page without viewing it.
    const stats = ctx.method === 'HEAD' ? await deps.store.getPage(HOME_PAGE) : await countView(deps, ctx, HOME_PAGE);
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept');
    if (ctx.get('Accept') !== '' && ctx.accepts('html', 'json') === 'json') {
      ctx.body = stats;
      return;
    }
    answerHtml(ctx, 200, homePage(stats, await figures(), `${ctx.protocol}://${ctx.host}`, deps.config.visitorMode));
  });
  // Our pages carry their icon inline; this answers the browsers that still ask for /favicon.ico (for
  // a JSON answer they display, for instance) with the same icon instead of a 404 in every log.
  router.get('/favicon.ico', '/favicon.ico', (ctx: AppContext) => {
    ctx.set('Cache-Control', `public, max-age=${ONE_DAY_SECONDS}`);
    ctx.type = 'image/svg+xml';
    ctx.body = FAVICON_SVG;
  });
}
