import type { Router } from '@koa/router';
import type { AppContext, AppDeps } from '../context.js';
import { answerHtml, FAVICON_SVG, htmlPage } from '../html.js';
import { HOME_PAGE } from '../page.js';
import { countView } from './count-view.js';

function homePage(views: number): string {
  const times = views === 1 ? 'time' : 'times';
  return htmlPage('page-tracker', `<h1>This page has been seen ${views} ${times}.</h1>`);
}

const ONE_DAY_SECONDS = 24 * 3600;

export function homeRoutes(router: Router, deps: AppDeps): void {
  router.get('/', '/', async (ctx: AppContext) => {
    // HEAD asks about the page without viewing it.
    const stats = ctx.method === 'HEAD' ? await deps.store.getPage(HOME_PAGE) : await countView(deps, ctx, HOME_PAGE);
    ctx.set('Cache-Control', 'no-store');
    ctx.vary('Accept');
    if (ctx.get('Accept') !== '' && ctx.accepts('html', 'json') === 'json') {
      ctx.body = stats;
      return;
    }
    answerHtml(ctx, 200, homePage(stats.views));
  });
  // Our pages carry their icon inline; this answers the browsers that still ask for /favicon.ico (for
  // a JSON answer they display, for instance) with the same icon instead of a 404 in every log.
  router.get('/favicon.ico', '/favicon.ico', (ctx: AppContext) => {
    ctx.set('Cache-Control', `public, max-age=${ONE_DAY_SECONDS}`);
    ctx.type = 'image/svg+xml';
    ctx.body = FAVICON_SVG;
  });
}
