import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BASE_URL } from './target.js';

interface ErrorBody {
  error: string;
  message: string;
}

// fetch and URL parsing normalise "..", so path tricks go out through node:http exactly as written.
function rawRequest(method: string, path: string): Promise<{ status: number; body: string }> {
  const base = new URL(BASE_URL);
  const prefix = base.pathname.replace(/\/$/, '');
  return new Promise((resolve, reject) => {
    const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send({ protocol: base.protocol, hostname: base.hostname, port: base.port, method, path: `${prefix}${path}` }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('smoke: bad input gets a clear answer', () => {
  for (const [label, path] of [
    ['an encoded slash', '/api/views/a%2Fb'],
    ['a parent-directory step', '/api/views/a/../b'],
    ['an encoded control character', '/api/views/a%00b'],
    ['a space', '/api/views/a%20b'],
    ['a malformed percent-encoding', '/api/views/a%zz'],
    ['a truncated UTF-8 sequence', '/api/views/%E0%A4%A'],
    ['a 201-character name', `/api/views/${'x'.repeat(201)}`],
  ] as const) {
    it(`refuses ${label} with 400 JSON saying what is allowed`, async () => {
      const { status, body } = await rawRequest('POST', path);
      expect(status).to.equal(400);
      const parsed = JSON.parse(body) as ErrorBody;
      expect(parsed.error).to.equal('invalid_page');
      expect(parsed.message).to.include('1 to 200 characters');
    });
  }

  it('accepts a 200-character name', async () => {
    const { status } = await rawRequest('GET', `/api/views/${'x'.repeat(200)}`);
    expect(status).to.equal(200);
  });

  it('refuses a bad limit with 400 JSON', async () => {
    const response = await fetch(`${BASE_URL}/api/views?limit=1000`);
    expect(response.status).to.equal(400);
    expect(((await response.json()) as ErrorBody).error).to.equal('invalid_query');
  });

  it('answers unknown routes with 404 JSON', async () => {
    const response = await fetch(`${BASE_URL}/no/such/route`);
    expect(response.status).to.equal(404);
    expect(((await response.json()) as ErrorBody).error).to.equal('not_found');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await fetch(`${BASE_URL}/api/views/some-page`, { method: 'DELETE' });
    expect(response.status).to.equal(405);
    expect(response.headers.get('allow')).to.include('POST').and.to.include('GET');
    expect(((await response.json()) as ErrorBody).error).to.equal('method_not_allowed');
  });

  it('echoes a given X-Request-Id and makes one otherwise', async () => {
    const given = await fetch(`${BASE_URL}/healthz`, { headers: { 'x-request-id': 'smoke-abc-123' } });
    expect(given.headers.get('x-request-id')).to.equal('smoke-abc-123');
    const made = await fetch(`${BASE_URL}/healthz`);
    expect(made.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });
});
