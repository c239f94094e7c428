// What counts as an origin: in a request's Origin header and in ALLOWED_ORIGINS alike.

/** The rule in words, for error messages and docs/api.md. */
export const ORIGIN_RULE = 'an origin is a scheme (http or https), a host and an optional port with nothing after it, e.g. https://example.com or http://127.0.0.1:8080';

/**
 * The origin as a browser writes it (`https://example.com`, lower-case, no default port, no path), or
 * undefined for anything else: a path, a trailing slash, credentials, another scheme, or "null" (what a
 * sandboxed frame or a file:// page sends, which no list can name).
 */
export function parseOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.origin === text ? text : undefined;
}
