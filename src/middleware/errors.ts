import { STATUS_CODES } from 'node:http';
import type { Next } from 'koa';
import type { AppContext, AppDeps } from '../context.js';
import { FoldedWarnings } from '../folded-warnings.js';
import {
  BudgetExceededError,
  CrossOriginMethodError,
  InvalidOriginError,
  InvalidIdempotencyKeyError,
  InvalidPageError,
  InvalidQueryError,
  OriginNotAllowedError,
  PageLimitReachedError,
  StoreUnavailableError,
  ViewRefusedError,
} from '../errors.js';
import { answerHtml, API_PREFIX, escapeHtml, htmlPage, wantsHtml } from '../html.js';

interface ErrorBody {
  error: string;
  message: string;
  [extra: string]: unknown;
}

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

function errorPage(status: number, body: ErrorBody, requestId: string): string {
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
function answer(ctx: AppContext, status: number, body: ErrorBody): void {
  if (!ctx.path.startsWith(API_PREFIX)) ctx.vary('Accept');
  if (wantsHtml(ctx)) {
    answerHtml(ctx, status, errorPage(status, body, ctx.state.requestId));
    return;
  }
  ctx.status = status;
  ctx.body = body;
}

function isExposedHttpError(error: unknown): error is { status: number; expose: boolean; message: string } {
  return typeof error === 'object' && error !== null && 'status' in error && 'expose' in error && (error as { expose: unknown }).expose === true;
}

/** The one place where errors become HTTP answers; handlers just throw. */
export function mapErrors({ logger }: AppDeps) {
  const warnings = new FoldedWarnings(logger);
  return async function mapError(ctx: AppContext, next: Next): Promise<void> {
    try {
      await next();
    } catch (error) {
      if (
        error instanceof InvalidPageError ||
        error instanceof InvalidIdempotencyKeyError ||
        error instanceof InvalidOriginError ||
        error instanceof OriginNotAllowedError
      ) {
        answer(ctx, error.status, { error: error.code, message: error.message });
      } else if (error instanceof InvalidQueryError) {
        answer(ctx, error.status, { error: error.code, message: error.message, parameter: error.parameter });
      } else if (error instanceof CrossOriginMethodError) {
        ctx.set('Allow', error.allow.join(', '));
        answer(ctx, error.status, { error: error.code, message: error.message, allow: [...error.allow] });
      } else if (error instanceof PageLimitReachedError) {
        answer(ctx, error.status, { error: error.code, message: error.message, maxPages: error.maxPages });
      } else if (error instanceof BudgetExceededError) {
        ctx.set('Retry-After', String(error.retryAfterSeconds));
        answer(ctx, error.status, { error: error.code, message: error.message, retryAfterSeconds: error.retryAfterSeconds });
      } else if (error instanceof ViewRefusedError) {
        answer(ctx, error.status, { error: error.code, message: error.message });
      } else if (error instanceof StoreUnavailableError) {
        ctx.set('Retry-After', '1');
        answer(ctx, error.status, { error: error.code, message: error.message });
        warnings.warn('store unavailable', { err: error.reason }, { reqId: ctx.state.requestId });
      } else if (isExposedHttpError(error)) {
        answer(ctx, error.status, { error: 'bad_request', message: error.message });
      } else {
        logger.error({ reqId: ctx.state.requestId, err: error }, 'unexpected error');
        answer(ctx, 500, { error: 'internal_error', message: 'internal error; the request id is in X-Request-Id' });
      }
      return;
    }
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) {
      answer(ctx, 404, { error: 'not_found', message: `no route for ${ctx.method} ${ctx.path}` });
    } else if (ctx.status === 405 || ctx.status === 501) {
      // The router answers 501 to methods it does not know (TRACE, PROPFIND, ...). That is the client's
      // mistake, not a server error: as a 5xx it would count towards the error-ratio alert.
      const allow = ctx.response.get('Allow');
      answer(ctx, 405, { error: 'method_not_allowed', message: `${ctx.method} is not allowed here; allowed: ${allow}`, allow: allow.split(/,\s*/) });
    }
  };
}
