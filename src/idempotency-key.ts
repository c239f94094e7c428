import type { AppContext } from './context.js';
import { InvalidIdempotencyKeyError } from './errors.js';
import { SAFE_TOKEN } from './safe-token.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set to `true` on an answer replayed from the first write of its Idempotency-Key (the body is that answer's). */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * The request's Idempotency-Key, or undefined when it sends none. A key that is present but breaks the
 * rule (empty, too long, a space, or two headers, which Node joins with ", ") is refused rather than
 * ignored: counting it without the key would give the client none of the protection it asked for.
 */
export function idempotencyKeyOf(ctx: AppContext): string | undefined {
  const offered = ctx.headers['idempotency-key'];
  if (offered === undefined) return undefined;
  if (typeof offered !== 'string' || !SAFE_TOKEN.test(offered)) throw new InvalidIdempotencyKeyError();
  return offered;
}
