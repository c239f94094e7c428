import { InvalidPageError } from './errors.js';

// Checked on the raw (still percent-encoded) path: the safe set needs no encoding, so any '%'
// (encoded slashes, control characters, anything) is refused before it can be decoded into a trick.
const SAFE_PAGE = /^[A-Za-z0-9/_.-]{1,200}$/;

export function parsePageName(raw: string): string {
  if (!SAFE_PAGE.test(raw) || raw.includes('..')) throw new InvalidPageError();
  return raw;
}
