import { expect } from 'chai';
import { send, serviceOrNotRouted } from './target.js';

interface ErrorBody {
  error: string;
  message: string;
}

describe('smoke: bad input gets a clear answer', () => {
  // [label, path, whether a conforming proxy in front may answer it itself]. An invalid percent-escape breaks
  // the request line's URI syntax: Go's HTTP server (Traefik, the strict proxy of `npm run test:smoke`)
  // answers it with its own plain-text 400 before any route sees it. The status is the contract everywhere;
  // the JSON body is checked whenever the answer is the service's own.
  for (const [label, path, proxyMayAnswer] of [
    ['an encoded slash', '/api/views/a%2Fb', false],
    ['a parent-directory step', '/api/views/a/../b', false],
    ['an encoded control character', '/api/views/a%00b', false],
    ['a space', '/api/views/a%20b', false],
    ['a malformed percent-encoding', '/api/views/a%zz', true],
    ['a truncated UTF-8 sequence', '/api/views/%E0%A4%A', true],
    ['a 201-character name', `/api/views/${'x'.repeat(201)}`, false],
  ] as const) {
    it(`refuses ${label} with 400${proxyMayAnswer ? ' (JSON saying what is allowed when the service answers)' : ' JSON saying what is allowed'}`, async () => {
      const response = await send(path, { method: 'POST' });
      const body = await response.text();
      expect(response.status, body).to.equal(400);
      const fromService = /^application\/json\b/.test(response.headers.get('content-type') ?? '');
      if (!proxyMayAnswer) expect(fromService, `content-type ${response.headers.get('content-type')}`).to.equal(true);
      if (fromService) {
        const parsed = JSON.parse(body) as ErrorBody;
        expect(parsed.error).to.equal('invalid_page');
        expect(parsed.message).to.include('1 to 200 characters');
      }
    });
  }

  it('accepts a 200-character name', async () => {
    const { status } = await send(`/api/views/${'x'.repeat(200)}`);
    expect(status).to.equal(200);
  });

  it('refuses a bad limit with 400 JSON', async () => {
    const response = await send(`/api/views?limit=1000`);
    expect(response.status).to.equal(400);
    expect(((await response.json()) as ErrorBody).error).to.equal('invalid_query');
  });

  it('answers an unknown route under a visitor path with its own 404 JSON', async () => {
    const response = await send(`/api/no/such/route`);
    expect(response.status).to.equal(404);
    expect(response.headers.get('x-request-id'), 'the service answered, not something in front').to.be.a('string');
    expect(((await response.json()) as ErrorBody).error).to.equal('not_found');
  });

  it('answers other unknown routes with 404 (JSON when the service answers; an ingress routes only the visitor paths)', async () => {
    const response = await send(`/no/such/route`);
    expect(response.status).to.equal(404);
    if (serviceOrNotRouted(response, '/no/such/route')) expect(((await response.json()) as ErrorBody).error).to.equal('not_found');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await send(`/api/views/some-page`, { method: 'DELETE' });
    expect(response.status).to.equal(405);
    expect(response.headers.get('allow')).to.include('POST').and.to.include('GET');
    expect(((await response.json()) as ErrorBody).error).to.equal('method_not_allowed');
  });

  it('echoes a given X-Request-Id and makes one otherwise', async () => {
    const given = await send(`/api/views?limit=1`, { headers: { 'x-request-id': 'smoke-abc-123' } });
    expect(given.headers.get('x-request-id')).to.equal('smoke-abc-123');
    const made = await send(`/api/views?limit=1`);
    expect(made.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });
});
