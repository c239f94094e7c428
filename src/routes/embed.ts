import type { Router } from '@koa/router';
import type { AppContext } from '../context.js';
import { pageNameOfPath } from '../page.js';

/** How long browsers and caches may keep pt.js: a new version reaches every site within this time. */
const EMBED_SCRIPT_MAX_AGE_SECONDS = 300;

/**
 * What a site includes with `<script src=".../pt.js" async></script>`. It counts the page it is on with
 * one POST (keepalive, so that a visitor leaving at once is still counted) and a fresh Idempotency-Key
 * per page load (a retried request is counted once), then writes the figures into the elements marked
 * `data-page-tracker` (`="visitors"` for the visitors, left empty where visitors are not counted, VISITOR_MODE=off:
 * the API answers null). `data-page` on the script tag names the page
 * instead of its path. The API is found relative to the script's own address, so a service under a path
 * prefix works too. crypto.randomUUID exists only in secure contexts: over plain HTTP the key comes from
 * getRandomValues, which exists everywhere.
 */
const EMBED_SCRIPT = `// page-tracker: counts this page's view and shows its figures in the elements marked data-page-tracker.
(() => {
  'use strict';
  const script = document.currentScript;
  if (script === null) return;
  const pageNameOfPath = ${pageNameOfPath.toString()};
  const page = script.dataset.page || pageNameOfPath(location.pathname);
  const key = typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  const counted = fetch(new URL('api/views/' + page, script.src), {
    method: 'POST',
    keepalive: true,
    credentials: 'include',
    headers: { 'Idempotency-Key': key },
  }).then((response) => (response.ok ? response.json() : undefined));
  const loaded = document.readyState === 'loading'
    ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }))
    : Promise.resolve();
  Promise.all([counted, loaded]).then(([stats]) => {
    if (stats === undefined) return;
    for (const element of document.querySelectorAll('[data-page-tracker]')) {
      element.textContent = String((element.dataset.pageTracker === 'visitors' ? stats.visitors : stats.views) ?? '');
    }
  }, () => undefined);
})();
`;

export function embedRoutes(router: Router): void {
  router.get('/pt.js', '/pt.js', (ctx: AppContext) => {
    ctx.set('Cache-Control', `public, max-age=${EMBED_SCRIPT_MAX_AGE_SECONDS}`);
    // Loaded by other sites' pages: say so explicitly, whatever a stricter default may later become.
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = EMBED_SCRIPT;
  });
}
