import type { Next } from 'koa';
import type { AppContext, AppDeps } from '../context.js';
import { FoldedWarnings } from '../folded-warnings.js';
import {
  BudgetExceededError,
  InvalidIdempotencyKeyError,
  InvalidPageError,
  InvalidQueryError,
  PageLimitReachedError,
  StoreUnavailableError,
  ViewRefusedError,
} from '../errors.js';

interface ErrorBody {
  error: string;
  message: string;
  [extra: string]: unknown;
}

function answer(ctx: AppContext, status: number, body: ErrorBody): void {
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
      if (error instanceof InvalidPageError || error instanceof InvalidQueryError || error instanceof InvalidIdempotencyKeyError) {
        answer(ctx, error.status, { error: error.code, message: error.message });
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
