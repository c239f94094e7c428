// The HTML that people see: one layout for the home page and every error page, no external assets.
import { createHash } from 'node:crypto';
import type { AppContext } from './context.js';

/** Escapes text for an HTML element or a double-quoted attribute: page names and messages are user input. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** "1 view", "2 views". */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A counter dial: served inline in every page and as /favicon.ico, so a browser never asks for a missing icon. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">' +
  '<rect width="16" height="16" rx="3" fill="#1f5fa8"/>' +
  '<path d="M3 12h2V8H3zm4 0h2V4H7zm4 0h2V6h-2z" fill="#fff"/></svg>';

const FAVICON_LINK = `<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}">`;

// System fonts only; colours meet WCAG AA contrast on both schemes (axe-core checks them in test/clients).
const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #4a5360; --accent: #1f5fa8; --panel: #f2f4f7; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8ebef; --bg: #14171b; --muted: #b4bcc6; --accent: #8fc1ff; --panel: #1f242a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: clamp(1.5rem, 5vw, 2.25rem); line-height: 1.2; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
p { margin: .5rem 0; }
a { color: var(--accent); }
.lead { color: var(--muted); font-size: 1.1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--panel); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.page { overflow-wrap: anywhere; }
pre { background: var(--panel); padding: .75rem; border-radius: .4rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
figure.chart { margin: .5rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
figure.chart rect { fill: var(--accent); }
figure.chart line { stroke: var(--muted); stroke-width: 1; }
figcaption { color: var(--muted); }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .9rem; }
`;

/**
 * Scripts, frames, forms, fonts and every fetch stay forbidden (`default-src 'none'`); only the one inline
 * style above (by its hash, so an injected <style> would not apply) and the inline data: favicon may load.
 * No site may frame a page (`frame-ancestors 'none'`), so none can overlay it to trick a click.
 */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** `title` and `body` are trusted markup: whoever calls this escapes whatever user input they contain. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${FAVICON_LINK}
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Answers with an HTML page under PAGE_CSP. */
export function answerHtml(ctx: AppContext, status: number, page: string): void {
  ctx.status = status;
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.type = 'html';
  ctx.body = page;
}

/** Where API clients live: their answers stay JSON whatever the Accept header says. */
export const API_PREFIX = '/api/';

/**
 * Whether an answer at this path should be a page for a person: the client prefers HTML over JSON
 * (a browser's navigation does; `*\/*` from curl or fetch does not) and the path is not the API's.
 */
export function wantsHtml(ctx: AppContext): boolean {
  return !ctx.path.startsWith(API_PREFIX) && ctx.accepts('json', 'html') === 'html';
}
