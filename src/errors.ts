// Typed errors the store and handlers throw; middleware/errors.ts maps each to one HTTP answer.

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
