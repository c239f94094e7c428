import type { Next } from 'koa';
import type { AppContext } from '../context.js';
import { SERVER_LIMITS } from '../http-server.js';

/**
 * No route reads a request body, so Node would otherwise answer and then drain whatever a client
 * announces (a gigabyte, for up to the request timeout). A too-large Content-Length, or a chunked body
 * of unknown length, is refused before the body is sent, and the connection is closed so the rest is
 * never read.
 */
export async function refuseLargeBodies(ctx: AppContext, next: Next): Promise<void> {
  const length = ctx.request.length;
  const unbounded = length === undefined && ctx.get('Transfer-Encoding') !== '';
  if (!unbounded && (length === undefined || length <= SERVER_LIMITS.maxBodyBytes)) {
    await next();
    return;
  }
  ctx.set('Connection', 'close');
  ctx.status = 413;
  ctx.body = {
    error: 'payload_too_large',
    message: `request bodies are limited to ${SERVER_LIMITS.maxBodyBytes} bytes with a Content-Length; this API reads none`,
    maxBytes: SERVER_LIMITS.maxBodyBytes,
  };
}
