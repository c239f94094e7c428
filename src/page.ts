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

/**
 * The page name for a browser's `location.pathname`, for the embed script (which runs this very function:
 * routes/embed.ts sends its source): characters outside the safe set become '-', runs of dots one '.',
 * empty and '.' segments are dropped, and at most 200 characters are kept, so `/docs/intro/` is
 * `docs/intro` and `/` stays the home page's name. It must stay self-contained (no outside names), and
 * parsePageName must accept whatever it returns (test/unit/page.test.ts checks both).
 */
export function pageNameOfPath(pathname: string): string {
  const name = pathname
    .replace(/[^A-Za-z0-9/_.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .slice(0, 200)
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
  return name === '' ? '/' : name;
}
