import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { VisitorMode } from './config.js';
import type { AppContext } from './context.js';
import { dayOf } from './days.js';
import type { ViewStore } from './store/view-store.js';

/** How a view's visitor id is found (VISITOR_MODE): from a signed cookie, without any cookie, or not at all. */
export interface VisitorIdentity {
  idOf(ctx: AppContext): string | Promise<string>;
}

/**
 * VISITOR_MODE=off: no visitor is told apart. Nothing of the request is read (no cookie, address or
 * User-Agent) and no cookie is set; the store, told not to count visitors, ignores the empty id.
 */
const NO_VISITORS: VisitorIdentity = { idOf: () => '' };

/** Whether a store counts visitors in this VISITOR_MODE: its countVisitors option. */
export function countsVisitors(mode: VisitorMode): boolean {
  return mode !== 'off';
}

/**
 * The identity for a VISITOR_MODE. `cookieSecret` is asked only in cookie mode (the server warns there when
 * VISITOR_SECRET is unset).
 */
export function visitorIdentity(mode: VisitorMode, store: Pick<ViewStore, 'visitorSalt'>, now: () => number, cookieSecret: () => string): VisitorIdentity {
  if (mode === 'off') return NO_VISITORS;
  if (mode === 'cookieless') return new CookielessVisitors(store, now);
  return new VisitorIds(cookieSecret());
}

const VISITOR_COOKIE = 'pt_visitor';
/**
 * The name over HTTPS. A browser keeps a `__Host-` cookie only if it is Secure, has Path=/ and no Domain,
 * so neither a sibling subdomain nor a man in the middle of a plain-HTTP request can set or replace it.
 */
const SECURE_VISITOR_COOKIE = `__Host-${VISITOR_COOKIE}`;
// A random UUID, a '.', and its HMAC-SHA256 in base64url (43 characters, no padding), under the given name.
const signedVisitor = (name: string): RegExp =>
  new RegExp(`(?:^|;\\s*)${name}=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.([A-Za-z0-9_-]{43})(?:;|$)`);
const SIGNED_VISITOR = signedVisitor(VISITOR_COOKIE);
const SIGNED_SECURE_VISITOR = signedVisitor(SECURE_VISITOR_COOKIE);
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The anonymous visitor id: a random UUID kept in a cookie, the only thing about a visitor we store. The
 * cookie carries the id signed with VISITOR_SECRET, so a client cannot choose its ids: a script inventing one
 * per request would otherwise be that many visitors. A cookie whose signature does not verify (forged, from
 * another secret, or an unsigned one from before ids were signed) counts as no cookie: a new id is issued.
 * One fixed cookie with a fixed shape, so a regex and a header line replace Koa's `cookies` (measured: about
 * 5% of a request's CPU, for features we do not use).
 */
export class VisitorIds implements VisitorIdentity {
  constructor(private readonly secret: string) {}

  private signatureOf(id: string): Buffer {
    return createHmac('sha256', this.secret).update(id).digest();
  }

  /** The signed cookie value for an id. */
  cookieValue(id: string): string {
    return `${id}.${this.signatureOf(id).toString('base64url')}`;
  }

  /** The visitor's id from its cookie when the signature verifies, else a new id with its cookie set on the answer. */
  idOf(ctx: AppContext): string {
    // Over HTTPS only the __Host- cookie counts: a plain one there may have been set by someone else (a
    // visitor with a cookie from before HTTPS or before the prefix counts as new once).
    const match = (ctx.secure ? SIGNED_SECURE_VISITOR : SIGNED_VISITOR).exec(ctx.get('Cookie'));
    if (match !== null) {
      const [, id = '', signature = ''] = match;
      // Constant time: a comparison that stops at the first wrong byte tells a forger how much of a guess was right.
      if (timingSafeEqual(Buffer.from(signature, 'base64url'), this.signatureOf(id))) return id;
    }
    const fresh = randomUUID();
    // Secure only when the visitor's connection is (honours X-Forwarded-Proto behind a trusted proxy).
    const secure = ctx.secure ? '; Secure' : '';
    // A page on another site counting through CORS gets its cookie back only if it is SameSite=None, which
    // browsers accept only with Secure: over plain HTTP such a visitor is a new one at every view.
    const sameSite = ctx.state.crossSite === true && ctx.secure ? 'None' : 'Lax';
    const name = ctx.secure ? SECURE_VISITOR_COOKIE : VISITOR_COOKIE;
    ctx.append('Set-Cookie', `${name}=${this.cookieValue(fresh)}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; HttpOnly; SameSite=${sameSite}${secure}`);
    return fresh;
  }
}

/**
 * VISITOR_MODE=cookieless: a visitor is a keyed hash (HMAC-SHA256) of the client address and the User-Agent,
 * keyed with a random salt of the UTC day that only the store keeps, for 48 hours (today's and yesterday's).
 * No cookie is set, and the address, the User-Agent and the hash are never stored or logged: the hash goes
 * only into the day's HyperLogLogs. Once a day's salt is deleted, nobody (the operator included) can tell
 * whether an address and User-Agent made a view that day. The same person is a new visitor each day, and
 * people behind one address with the same browser are one.
 */
export class CookielessVisitors implements VisitorIdentity {
  /** The salt of the current day, read once per process: every replica gets the one the store kept first. */
  private salt: { day: string; salt: Promise<string> } | undefined;

  constructor(
    private readonly store: Pick<ViewStore, 'visitorSalt'>,
    private readonly now: () => number,
  ) {}

  async idOf(ctx: AppContext): Promise<string> {
    const salt = await this.saltOf(dayOf(this.now()));
    return createHmac('sha256', salt).update(`${ctx.ip}\n${ctx.get('User-Agent')}`).digest('base64url');
  }

  private saltOf(day: string): Promise<string> {
    if (this.salt?.day !== day) {
      const entry = { day, salt: this.store.visitorSalt(day, randomBytes(32).toString('base64url')) };
      this.salt = entry;
      // A failed read (Redis away) is not kept: the next view asks again.
      entry.salt.catch(() => {
        if (this.salt === entry) this.salt = undefined;
      });
    }
    return this.salt.salt;
  }
}
