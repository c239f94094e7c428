// A seeded generator of hostile HTTP/1.1 requests, as raw bytes. Same seed, same requests.

/** mulberry32: a tiny seeded PRNG, so a failing fuzz run can be replayed with FUZZ_SEED. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzRequest {
  bytes: Buffer;
  /** A short description for failure messages. */
  summary: string;
}

// Most requests are well-formed HTTP carrying hostile content, so they reach the app; the rest break
// the protocol itself (bad bytes, methods, versions) and exercise Node's parser.
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND'];
const BROKEN_METHODS = ['get', 'GE T', 'POST\x00', 'X'.repeat(300), ''];
const PIECES = [
  '..', '../', '%2e%2e', '%2E%2E%2F', '%2F', '%00', '%', '%zz', '%25', '%c0%ae', '%E2%80%AE', '%F0%9F%98%80', '\\', '//', '/./', '?', '#',
  ';', '*', "'", '<script>', 'a', 'b1', '-', '_', '.', '~', '!', '$', '&', '(', '=', '@', ':', '+', ',',
];
const BROKEN_PIECES = ['é', '日本語', '\u202e', '😀', '\x01', '\x7f', '\x1b[31m', ' ', '\t', '"', '\r', '\n', '\r\n'];
const VALID_PAGES = ['fuzz/ok', 'fuzz-ok', 'fuzz_ok.html', 'fuzz/a/b/c', 'F0'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'];
const BROKEN_VERSIONS = ['HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', ''];
const HEADER_NAMES = ['Accept', 'Cookie', 'X-Request-Id', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'Content-Type', 'User-Agent', 'Range', 'If-None-Match', 'Expect'];
const BROKEN_HEADER_NAMES = ['Bad Name', 'Bad:Name', 'É', ''];
const HEADER_VALUES = [
  'application/json', 'text/html', '*/*', 'pt_visitor=not-a-uuid', 'pt_visitor=00000000-0000-0000-0000-000000000000', '../../etc/passwd',
  'é日本', '😀', '1.2.3.4, 5.6.7.8', 'https', 'bytes=0-', '"x"', '', '100-continue', '%00%0d%0a', '<script>alert(1)</script>',
];
const BROKEN_HEADER_VALUES = ['\x00', '\x01\x02', 'a\rb'];

export function fuzzRequests(seed: number, count: number): FuzzRequest[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const randomBytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));

  // One draw per request decides whether it may break the protocol at all.
  let broken = false;
  const pickMaybeBroken = <T>(good: readonly T[], bad: readonly T[]): T => pick(broken && chance(0.3) ? bad : good);

  const path = (): string => {
    const roll = random();
    if (roll < 0.15) return `/api/views/${pick(VALID_PAGES)}`;
    if (roll < 0.2) return pick(['/', '/healthz', '/readyz', '/api/views', '/api/views?limit=' + pick(['0', '101', '-1', '1e3', 'x', '%00', '10', ''])]);
    if (roll < 0.25) return `/api/views/${'a/'.repeat(50 + Math.floor(random() * 5000))}`;
    if (roll < 0.3) return pick(['*', 'http://evil.example/api/views/x', '//api/views/x', 'api/views/x', '']);
    if (roll < 0.35 && broken) return `/api/views/${randomBytes(1 + Math.floor(random() * 40)).toString('latin1')}`;
    const parts = Array.from({ length: 1 + Math.floor(random() * 8) }, () => pickMaybeBroken(PIECES, BROKEN_PIECES));
    return `${pick(['/api/views/', '/api/views//', '/', '/api/'])}${parts.join('')}`;
  };

  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i += 1) {
    broken = chance(0.25);
    const method = pickMaybeBroken(METHODS, BROKEN_METHODS);
    const target = path();
    const lines = [`${method} ${target} ${pickMaybeBroken(VERSIONS, BROKEN_VERSIONS)}`.trimEnd()];
    if (chance(0.9)) lines.push('Host: 127.0.0.1');
    for (let h = Math.floor(random() * 4); h > 0; h -= 1) {
      const value = chance(0.05) ? 'v'.repeat(1000 + Math.floor(random() * 20_000)) : pickMaybeBroken(HEADER_VALUES, BROKEN_HEADER_VALUES);
      lines.push(`${pickMaybeBroken(HEADER_NAMES, BROKEN_HEADER_NAMES)}: ${value}`);
    }
    let body: Buffer = Buffer.alloc(0);
    const bodyRoll = random();
    if (bodyRoll < 0.25) {
      body = randomBytes(Math.floor(random() * 4096));
      lines.push(`Content-Length: ${body.length}`);
    } else if (bodyRoll < 0.3) {
      lines.push(`Content-Length: ${pick(['-1', 'abc', '1, 2', '99999999999999999999', String(2 ** 31)])}`);
    } else if (bodyRoll < 0.35) {
      lines.push('Transfer-Encoding: chunked');
      body = Buffer.from(pick(['5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', '0\r\n\r\n']));
    } else if (bodyRoll < 0.38) {
      lines.push('Content-Length: 3', 'Content-Length: 4');
      body = Buffer.from('abcd');
    }
    lines.push('Connection: close');
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
    requests.push({ bytes: Buffer.concat([head, body]), summary: JSON.stringify(`${method} ${target}`.slice(0, 120)) });
  }
  return requests;
}
