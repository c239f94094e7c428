import type { Next } from 'koa';
import type { AppContext } from '../context.js';
import { HttpError } from '../errors.js';

/** The API reads no request body: anything announcing more than this is refused before it is sent. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * No route reads a request body, so Node would otherwise answer and then drain whatever a client
 * announces (a gigabyte, for up to the request timeout). A too-large Content-Length, or a chunked body
 * of unknown length, is refused before the body is sent, and the connection is closed so the rest is
 * never read.
 */
export async function refuseLargeBodies(ctx: AppContext, next: Next): Promise<void> {
  const length = ctx.request.length;
  const unbounded = length === undefined && ctx.get('Transfer-Encoding') !== '';
  if (unbounded || (length !== undefined && length > MAX_BODY_BYTES)) {
    throw new HttpError(413, 'payload_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes with a Content-Length; this API reads none`, {
      headers: { Connection: 'close' },
      details: { maxBytes: MAX_BODY_BYTES },
    });
  }
  await next();
}
