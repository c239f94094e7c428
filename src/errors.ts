// Typed errors the store and handlers throw; middleware/errors.ts maps each to one HTTP answer.
import type { DroppedViewReason } from './metrics.js';
import { ORIGIN_RULE } from './origin-rule.js';
import { SAFE_TOKEN_RULE } from './safe-token.js';

export const PAGE_RULE =
  "page names are '/' (the home page) or 1 to 200 characters from letters, digits, '/', '-', '_' and '.', in segments " +
  "separated by single '/': no leading, trailing or doubled '/', no '.' segment, and no '..'";

export class InvalidPageError extends Error {
  readonly status = 400;
  readonly code = 'invalid_page';
  constructor() {
    super(PAGE_RULE);
    this.name = 'InvalidPageError';
  }
}

export class InvalidQueryError extends Error {
  readonly status = 400;
  readonly code = 'invalid_query';
  /** The query parameter at fault, also given in the answer so that a program can point at it. */
  constructor(
    message: string,
    readonly parameter: string,
  ) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

export class InvalidIdempotencyKeyError extends Error {
  readonly status = 400;
  readonly code = 'invalid_idempotency_key';
  constructor() {
    super(`Idempotency-Key must be ${SAFE_TOKEN_RULE}; nothing was counted`);
    this.name = 'InvalidIdempotencyKeyError';
  }
}

/** A view the store refused by its rules (nothing was counted), with the reason page_tracker_views_dropped_total gives it. */
export abstract class ViewRefusedError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  abstract readonly dropReason: DroppedViewReason;
}

export class IdempotencyKeyReusedError extends ViewRefusedError {
  readonly status = 422;
  readonly dropReason = 'key_reused';
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('this Idempotency-Key was already counted a view of another page; send a fresh key for each view; nothing was counted');
    this.name = 'IdempotencyKeyReusedError';
  }
}

export class PageLimitReachedError extends ViewRefusedError {
  readonly status = 409;
  readonly dropReason = 'page_limit';
  readonly code = 'page_limit_reached';
  constructor(readonly maxPages: number) {
    super(`the service already tracks its maximum of ${maxPages} distinct pages; existing pages keep counting, new ones are refused`);
    this.name = 'PageLimitReachedError';
  }
}

/** A client over one of its abuse budgets: 429, with Retry-After the seconds until that budget's window ends. */
export abstract class BudgetExceededError extends ViewRefusedError {
  readonly status = 429;
  readonly code = 'rate_limited';
  readonly dropReason = 'rate_limited';
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(`${message}; nothing was counted; try again in ${retryAfterSeconds} s`);
  }
}

export class RateLimitedError extends BudgetExceededError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds, 'this client address has sent its most views for now (RATE_LIMIT_VIEWS_PER_MINUTE)');
    this.name = 'RateLimitedError';
  }
}

export class NewPageQuotaError extends BudgetExceededError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds, 'this client address has created its most new pages for now (NEW_PAGES_PER_CLIENT_PER_HOUR); existing pages still count');
    this.name = 'NewPageQuotaError';
  }
}

/**
 * A new page outside PAGE_PATTERN. 404, not 400: the name is well formed (a 400 says the request is wrong), but
 * this tracker does not have that page and will not create it, which is what 404 means; like 400 it tells a
 * client not to retry, and unlike 403 it does not suggest that credentials would help.
 */
export class PageOutsidePatternError extends ViewRefusedError {
  readonly status = 404;
  readonly code = 'page_not_tracked';
  readonly dropReason = 'pattern_refused';
  constructor() {
    super('this page is not tracked yet and its name does not match PAGE_PATTERN, so it is not created; nothing was counted');
    this.name = 'PageOutsidePatternError';
  }
}

export class StoreUnavailableError extends Error {
  readonly status = 503;
  readonly code = 'store_unavailable';
  /** Why, for operators (logs, /readyz): e.g. "connect ECONNREFUSED 10.0.0.5:6379". Never sent to visitors. */
  readonly reason: string;
  constructor(cause: Error) {
    super('the page view store is unavailable; try again shortly', { cause });
    this.name = 'StoreUnavailableError';
    this.reason = cause.message;
  }
}

export class InvalidOriginError extends Error {
  readonly status = 400;
  readonly code = 'invalid_origin';
  constructor() {
    super(`the Origin header is not an origin: ${ORIGIN_RULE}; nothing was counted`);
    this.name = 'InvalidOriginError';
  }
}

export class OriginNotAllowedError extends Error {
  readonly status = 403;
  readonly code = 'origin_not_allowed';
  constructor(readonly origin: string) {
    const where = origin === 'null' ? 'an opaque origin ("null": a sandboxed frame or a file:// page)' : origin;
    super(`pages on ${where} may not count views here (it is not in ALLOWED_ORIGINS); nothing was counted`);
    this.name = 'OriginNotAllowedError';
  }
}

export class CrossOriginMethodError extends Error {
  readonly status = 405;
  readonly code = 'method_not_allowed';
  constructor(
    method: string,
    readonly allow: readonly string[],
  ) {
    super(`${method} is not served to other sites here; allowed: ${allow.join(', ')}`);
    this.name = 'CrossOriginMethodError';
  }
}
