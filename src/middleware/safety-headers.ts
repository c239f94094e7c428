import type { Next } from 'koa';
import type { AppContext } from '../context.js';

/** Headers every answer carries, set before anything else can answer so that errors carry them too. */
export async function safetyHeaders(ctx: AppContext, next: Next): Promise<void> {
  // A browser takes the Content-Type as given instead of guessing (an SVG badge or JSON is never run as a script).
  ctx.set('X-Content-Type-Options', 'nosniff');
  // A link or request from our pages tells the next site nothing: not the page, not that it was ours.
  ctx.set('Referrer-Policy', 'no-referrer');
  await next();
}
