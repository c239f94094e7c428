/**
 * The characters a client-chosen token may use wherever it is echoed in a header, written to a log line or
 * built into a Redis key name (X-Request-Id, Idempotency-Key): no spaces, quotes, control characters or
 * anything that needs escaping, and short enough to stay cheap.
 */
export const SAFE_TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The same rule in words, for error messages and docs/api.md. */
export const SAFE_TOKEN_RULE = "1 to 128 characters from letters, digits, '.', '_', ':' and '-'";
