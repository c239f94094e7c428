import { randomUUID } from 'node:crypto';
import type { Next } from 'koa';
import type { AppContext } from '../context.js';
import { SAFE_TOKEN } from '../safe-token.js';

/**
 * Outermost: every answer, and every log line about it, carries one request id. A caller's X-Request-Id is
 * kept when it is a safe token; anything else is replaced, since it ends up in log lines and response headers.
 */
export async function requestId(ctx: AppContext, next: Next): Promise<void> {
  const offered = ctx.get('X-Request-Id');
  const id = SAFE_TOKEN.test(offered) ? offered : randomUUID();
  ctx.state.requestId = id;
  ctx.set('X-Request-Id', id);
  await next();
}
