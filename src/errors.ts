// Every error that is an answer to a client: one base class, read the way koa's own ctx.onerror reads an error
// (status, expose, headers), so middleware/errors.ts and the admin API each answer any of them with one branch.
import type { DroppedViewReason } from './metrics.js';
import { ORIGIN_RULE } from './origin-rule.js';
import { SAFE_TOKEN_RULE } from './safe-token.js';

export const PAGE_RULE =
  "page names are '/' (the home page) or 1 to 200 characters from letters, digits, '/', '-', '_' and '.', in segments " +
  "separated by single '/': no leading, trailing or doubled '/', no '.' segment, and no '..'";

/** What an answer carries besides its status, code and message. */
interface HttpErrorParts {
  /** Response headers that belong to this answer (Retry-After, Allow, WWW-Authenticate). */
  headers?: Record<string, string>;
  /** The JSON body's fields after `error` and `message`, for a program to act on (the parameter at fault, the wait). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * An answer to a client: `status`, `code` (the JSON body's `error`, what clients branch on), a message written
 * for the client, and the headers and details that go with it. A one-off answer is an instance; an error the
 * store or a handler throws, and tests name, is a subclass.
 */
export class HttpError extends Error {
  /** The message is written for the client; koa's convention, which its own error handling also reads. */
  readonly expose: boolean = true;
  readonly headers: Readonly<Record<string, string>>;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    { headers = {}, details = {}, cause }: HttpErrorParts = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.headers = headers;
    this.details = details;
  }

  /** The JSON body: `error` and `message` first, as every answer of this service starts. */
  get body(): { error: string; message: string; [detail: string]: unknown } {
    return { error: this.code, message: this.message, ...this.details };
  }
}

export class InvalidPageError extends HttpError {
  constructor() {
    super(400, 'invalid_page', PAGE_RULE);
  }
}

export class InvalidQueryError extends HttpError {
  /** `parameter` is the query parameter at fault, also given in the answer so that a program can point at it. */
  constructor(message: string, parameter: string) {
    super(400, 'invalid_query', message, { details: { parameter } });
  }
}

export class InvalidIdempotencyKeyError extends HttpError {
  constructor() {
    super(400, 'invalid_idempotency_key', `Idempotency-Key must be ${SAFE_TOKEN_RULE}; nothing was counted`);
  }
}

/** A view the store refused by its rules (nothing was counted), with the reason page_tracker_views_dropped_total gives it. */
export abstract class ViewRefusedError extends HttpError {
  constructor(
    readonly dropReason: DroppedViewReason,
    status: number,
    code: string,
    message: string,
    parts?: HttpErrorParts,
  ) {
    super(status, code, message, parts);
  }
}

export class IdempotencyKeyReusedError extends ViewRefusedError {
  constructor() {
    super('key_reused', 422, 'idempotency_key_reused', 'this Idempotency-Key was already counted a view of another page; send a fresh key for each view; nothing was counted');
  }
}

export class PageLimitReachedError extends ViewRefusedError {
  constructor(maxPages: number) {
    super('page_limit', 409, 'page_limit_reached', `the service already tracks its maximum of ${maxPages} distinct pages; existing pages keep counting, new ones are refused`, {
      details: { maxPages },
    });
  }
}

/** A client over one of its abuse budgets: 429, with Retry-After the seconds until that budget's window ends. */
abstract class BudgetExceededError extends ViewRefusedError {
  constructor(retryAfterSeconds: number, message: string) {
    super('rate_limited', 429, 'rate_limited', `${message}; nothing was counted; try again in ${retryAfterSeconds} s`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
      details: { retryAfterSeconds },
    });
  }
}

export class RateLimitedError extends BudgetExceededError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds, 'this client address has sent its most views for now (RATE_LIMIT_VIEWS_PER_MINUTE)');
  }
}

export class NewPageQuotaError extends BudgetExceededError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds, 'this client address has created its most new pages for now (NEW_PAGES_PER_CLIENT_PER_HOUR); existing pages still count');
  }
}

/**
 * A new page outside PAGE_PATTERN. 404, not 400: the name is well formed (a 400 says the request is wrong), but
 * this tracker does not have that page and will not create it, which is what 404 means; like 400 it tells a
 * client not to retry, and unlike 403 it does not suggest that credentials would help.
 */
export class PageOutsidePatternError extends ViewRefusedError {
  constructor() {
    super('pattern_refused', 404, 'page_not_tracked', 'this page is not tracked yet and its name does not match PAGE_PATTERN, so it is not created; nothing was counted');
  }
}

export class StoreUnavailableError extends HttpError {
  /** Why, for operators (logs, /readyz): e.g. "connect ECONNREFUSED 10.0.0.5:6379". Never sent to visitors. */
  readonly reason: string;
  constructor(cause: Error) {
    super(503, 'store_unavailable', 'the page view store is unavailable; try again shortly', { headers: { 'Retry-After': '1' }, cause });
    this.reason = cause.message;
  }
}

export class InvalidOriginError extends HttpError {
  constructor() {
    super(400, 'invalid_origin', `the Origin header is not an origin: ${ORIGIN_RULE}; nothing was counted`);
  }
}

export class OriginNotAllowedError extends HttpError {
  constructor(origin: string) {
    const where = origin === 'null' ? 'an opaque origin ("null": a sandboxed frame or a file:// page)' : origin;
    super(403, 'origin_not_allowed', `pages on ${where} may not count views here (it is not in ALLOWED_ORIGINS); nothing was counted`);
  }
}

/** A method that this service serves, or does not serve to other sites: 405 with the methods it does, in Allow and in the body. */
export class MethodNotAllowedError extends HttpError {
  constructor(message: string, allow: readonly string[]) {
    super(405, 'method_not_allowed', message, { headers: { Allow: allow.join(', ') }, details: { allow: [...allow] } });
  }
}
