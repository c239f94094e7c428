// Typed errors the store and handlers throw; middleware/errors.ts maps each to one HTTP answer.
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
  constructor(message: string) {
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

export class IdempotencyKeyReusedError extends Error {
  readonly status = 422;
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('this Idempotency-Key was already counted a view of another page; send a fresh key for each view; nothing was counted');
    this.name = 'IdempotencyKeyReusedError';
  }
}

export class PageLimitReachedError extends Error {
  readonly status = 409;
  readonly code = 'page_limit_reached';
  constructor(readonly maxPages: number) {
    super(`the service already tracks its maximum of ${maxPages} distinct pages; existing pages keep counting, new ones are refused`);
    this.name = 'PageLimitReachedError';
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
