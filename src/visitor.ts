import { randomUUID } from 'node:crypto';
import type { AppContext } from './context.js';

export const VISITOR_COOKIE = 'pt_visitor';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** The anonymous visitor id: a random UUID kept in a cookie, the only thing about a visitor we store. */
export function visitorId(ctx: AppContext): string {
  const known = ctx.cookies.get(VISITOR_COOKIE);
  if (known !== undefined && UUID.test(known)) return known;
  const fresh = randomUUID();
  ctx.cookies.set(VISITOR_COOKIE, fresh, {
    httpOnly: true,
    sameSite: 'lax',
    // Secure only when the visitor's connection is (honours X-Forwarded-Proto behind a trusted proxy).
    secure: ctx.secure,
    maxAge: ONE_YEAR_MS,
    path: '/',
    overwrite: true,
  });
  return fresh;
}
