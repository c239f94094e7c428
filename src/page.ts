import { InvalidPageError } from './errors.js';

/** The home page's name: `GET /` counts it, and it is the one name that is not made of segments. */
export const HOME_PAGE = '/';

// Checked on the raw (still percent-encoded) path: the safe set needs no encoding, so any '%'
// (encoded slashes, control characters, anything) is refused before it can be decoded into a trick.
const SAFE_PAGE = /^[A-Za-z0-9/_.-]{1,200}$/;

/**
 * One page, one name: `a/b`, `a//b`, `a/./b` and `a/b/` would otherwise be four counters for what a
 * reader takes to be one page. They are refused rather than rewritten to `a/b`, so a client learns that
 * its link is off instead of having its views silently counted under a name it never sent. A segment is
 * never empty (no leading, trailing or doubled '/'), never '.', and no name contains '..'.
 */
export function parsePageName(raw: string): string {
  if (raw === HOME_PAGE) return raw;
  if (!SAFE_PAGE.test(raw) || raw.includes('..') || raw.split('/').some((segment) => segment === '' || segment === '.')) {
    throw new InvalidPageError();
  }
  return raw;
}
