import { STATUS_CODES } from 'node:http';
import type { Next } from 'koa';
import type { AppContext, AppDeps } from '../context.js';
import { FoldedWarnings } from '../folded-warnings.js';
import { HttpError, MethodNotAllowedError, StoreUnavailableError } from '../errors.js';
import { answerHtml, API_PREFIX, escapeHtml, htmlPage, wantsHtml } from '../html.js';

// What a person can do about each error; the message above it says what happened.
const WHAT_TO_DO: Record<string, string> = {
  invalid_page: 'Check the page name in the address.',
  invalid_query: 'Check the query string in the address.',
  invalid_idempotency_key: 'Send an Idempotency-Key that follows that rule, or none.',
  idempotency_key_reused: 'Send a fresh Idempotency-Key for each view.',
  page_limit_reached: 'Pages already counted keep counting. To count new pages, ask the operator to raise MAX_PAGES.',
  rate_limited: 'Reload this page once that time has passed.',
  page_not_tracked: 'Check the page name in the address; this tracker counts only the pages its operator lists in PAGE_PATTERN.',
  store_unavailable: 'Reload this page in a moment: the counter should be back shortly.',
  not_found: 'Check the address, or start from the home page.',
  method_not_allowed: 'Open the address in a browser, or use one of the allowed methods.',
  bad_request: 'Check the address and the headers sent.',
  internal_error: 'Reload the page; if it keeps failing, give the operator the request id below.',
};

// Messages are written for JSON, where they start in lower case and end without a full stop.
function sentence(message: string): string {
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

function errorPage(status: number, body: HttpError['body'], requestId: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return htmlPage(
    escapeHtml(`${title} - page-tracker`),
    `<h1>${escapeHtml(title)}</h1>
<p class="lead">${escapeHtml(sentence(body.message))}</p>
<p>${escapeHtml(WHAT_TO_DO[body.error] ?? WHAT_TO_DO.bad_request ?? '')}</p>
<p><a href="/">Go to the home page</a></p>
<footer>Error <code>${escapeHtml(body.error)}</code>, request id <code>${escapeHtml(requestId)}</code>.</footer>`,
  );
}

/** JSON for API clients; for a person's browser outside the API, the same answer as a page. */
function answer(ctx: AppContext, error: HttpError): void {
  ctx.set(error.headers);
  if (!ctx.path.startsWith(API_PREFIX)) ctx.vary('Accept');
  if (wantsHtml(ctx)) {
    answerHtml(ctx, error.status, errorPage(error.status, error.body, ctx.state.requestId));
    return;
  }
  ctx.status = error.status;
  ctx.body = error.body;
}

/** What koa and the router leave unanswered: a path no route serves, or a method the path is not served with. */
function unanswered(ctx: AppContext): HttpError | undefined {
  if (ctx.body !== undefined && ctx.body !== null) return undefined;
  if (ctx.status === 404) return new HttpError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
  // The router answers 501 to methods it does not know (TRACE, PROPFIND, ...). That is the client's
  // mistake, not a server error: as a 5xx it would count towards the error-ratio alert.
  if (ctx.status === 405 || ctx.status === 501) {
    const allow = ctx.response.get('Allow');
    return new MethodNotAllowedError(`${ctx.method} is not allowed here; allowed: ${allow}`, allow.split(/,\s*/));
  }
  return undefined;
}

/** The one place where errors become HTTP answers; handlers just throw. */
export function mapErrors({ logger }: AppDeps) {
  const warnings = new FoldedWarnings(logger);
  return async function mapError(ctx: AppContext, next: Next): Promise<void> {
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError && error.expose) {
        answer(ctx, error);
      } else {
        logger.error({ reqId: ctx.state.requestId, err: error }, 'unexpected error');
        answer(ctx, new HttpError(500, 'internal_error', 'internal error; the request id is in X-Request-Id'));
      }
      if (error instanceof StoreUnavailableError) warnings.warn('store unavailable', { err: error.reason }, { reqId: ctx.state.requestId });
      return;
    }
    const left = unanswered(ctx);
    if (left !== undefined) answer(ctx, left);
  };
}
