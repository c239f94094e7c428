import type { Router } from '@koa/router';
import type { AppContext, AppDeps } from '../context.js';
import { HOME_PAGE } from '../page.js';
import { countView } from './count-view.js';

function html(views: number): string {
  const times = views === 1 ? 'time' : 'times';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>page-tracker</title></head>
<body><h1>This page has been seen ${views} ${times}.</h1></body>
</html>
`;
}

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
    ctx.set('Content-Security-Policy', "default-src 'none'");
    ctx.type = 'html';
    ctx.body = html(stats.views);
  });
}
