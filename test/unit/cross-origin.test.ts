import { expect } from 'chai';
import { PREFLIGHT_MAX_AGE_SECONDS } from '../../src/origin.js';
import { startApp, type AppHarness } from '../support/app-harness.js';

const SITE = 'https://blog.example';

describe('cross-origin counting (ALLOWED_ORIGINS, CORS)', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp({ allowedOrigins: [SITE] });
  });
  afterEach(async () => {
    await app.close();
  });

  const total = async (): Promise<number> => ((await (await fetch(`${app.baseUrl}/api/views`)).json()) as { total: number }).total;
  const post = (headers: Record<string, string>): Promise<Response> => fetch(`${app.baseUrl}/api/views/a`, { method: 'POST', headers });
  const preflight = (origin: string, method: string): Promise<Response> =>
    fetch(`${app.baseUrl}/api/views/a`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'idempotency-key' },
    });

  it('an allowed origin is counted and gets its origin echoed, Vary: Origin, credentials and the exposed headers', async () => {
    const response = await post({ origin: SITE });
    expect(response.status).to.equal(200);
    expect(response.headers.get('access-control-allow-origin')).to.equal(SITE);
    expect(response.headers.get('access-control-allow-credentials')).to.equal('true');
    expect(response.headers.get('access-control-expose-headers')).to.include('Idempotent-Replayed').and.to.include('Retry-After');
    expect(response.headers.get('vary')).to.match(/origin/i);
    expect(await total()).to.equal(1);
  });

  it('a preflight from an allowed origin is a 204 allowing Idempotency-Key and Content-Type', async () => {
    const response = await preflight(SITE, 'POST');
    expect(response.status).to.equal(204);
    expect(response.headers.get('access-control-allow-origin')).to.equal(SITE);
    expect(response.headers.get('access-control-allow-methods')).to.equal('GET,HEAD,POST');
    expect(response.headers.get('access-control-allow-headers')).to.equal('Idempotency-Key,Content-Type');
    expect(response.headers.get('access-control-max-age')).to.equal(String(PREFLIGHT_MAX_AGE_SECONDS));
    expect(await total()).to.equal(0);
  });

  it('a preflight for a method not served is a 405 naming the allowed ones', async () => {
    const response = await preflight(SITE, 'DELETE');
    expect(response.status).to.equal(405);
    expect(response.headers.get('allow')).to.equal('GET, HEAD, POST');
    expect(await response.json()).to.deep.include({ error: 'method_not_allowed', allow: ['GET', 'HEAD', 'POST'] });
  });

  for (const origin of ['https://evil.example', 'https://blog.example:8443', 'http://blog.example', 'null']) {
    it(`Origin ${origin} (not allowed) is a 403 that counts nothing, sets no cookie and gets no CORS header`, async () => {
      for (const response of [await post({ origin }), await preflight(origin, 'POST')]) {
        expect(response.status).to.equal(403);
        expect(await response.json()).to.deep.include({ error: 'origin_not_allowed' });
        expect(response.headers.get('access-control-allow-origin')).to.equal(null);
        expect(response.headers.get('set-cookie')).to.equal(null);
      }
      expect(await total()).to.equal(0);
    });
  }

  it('each view refused for its Origin (the POST, or the preflight a browser sends before it) is one page_tracker_views_dropped_total{reason="origin_refused"}; refused reads and an invalid Origin are not', async () => {
    const originRefused = async (): Promise<number> =>
      (await app.metrics.viewsDropped.get()).values.find((value) => value.labels.reason === 'origin_refused')?.value ?? -1;
    expect(await originRefused(), 'exported from the start').to.equal(0);
    const evil = 'https://evil.example';
    expect((await post({ origin: evil })).status).to.equal(403);
    expect((await preflight(evil, 'POST')).status).to.equal(403);
    expect(await originRefused()).to.equal(2);
    expect((await fetch(`${app.baseUrl}/api/views/a`, { headers: { origin: evil } })).status, 'a read').to.equal(403);
    expect((await fetch(`${app.baseUrl}/api/views`, { headers: { origin: evil } })).status, 'the ranking').to.equal(403);
    expect((await preflight(evil, 'GET')).status, 'a preflight for a read').to.equal(403);
    expect((await post({ origin: 'not an origin' })).status, 'an invalid Origin: an error, not a drop').to.equal(400);
    expect(await originRefused()).to.equal(2);
  });

  for (const origin of ['not an origin', 'https://blog.example/', 'https://blog.example/path', 'ftp://blog.example', 'https://user@blog.example', 'HTTPS://BLOG.EXAMPLE']) {
    it(`Origin ${JSON.stringify(origin)} (not an origin) is a 400 invalid_origin that counts nothing`, async () => {
      const response = await post({ origin });
      expect(response.status).to.equal(400);
      const body = (await response.json()) as { error: string; message: string };
      expect(body.error).to.equal('invalid_origin');
      expect(body.message).to.include('e.g. https://example.com');
      expect(await total()).to.equal(0);
    });
  }

  it('no Origin (curl, a server) and the service\'s own origin keep working, without CORS headers', async () => {
    const { host } = new URL(app.baseUrl);
    const variants: Array<Record<string, string>> = [{}, { origin: app.baseUrl }, { origin: `https://${host}` }];
    for (const headers of variants) {
      const response = await post(headers);
      expect(response.status, JSON.stringify(headers)).to.equal(200);
      expect(response.headers.get('access-control-allow-origin')).to.equal(null);
    }
    expect(await total()).to.equal(3);
  });

  it('leaves other routes alone: the home page and /pt.js ignore Origin', async () => {
    expect((await fetch(`${app.baseUrl}/`, { headers: { origin: 'https://evil.example' } })).status).to.equal(200);
    expect((await fetch(`${app.baseUrl}/pt.js`, { headers: { origin: 'https://evil.example' } })).status).to.equal(200);
  });

  it('a cross-site visitor cookie is SameSite=None; Secure over HTTPS (behind a trusted proxy), Lax over HTTP', async () => {
    const plain = await post({ origin: SITE });
    expect(plain.headers.get('set-cookie')).to.match(/SameSite=Lax/).and.not.match(/Secure/);
    await app.close();
    app = await startApp({ allowedOrigins: [SITE], trustProxy: true });
    const secure = await post({ origin: SITE, 'x-forwarded-proto': 'https' });
    expect(secure.headers.get('set-cookie'), 'the signed id, sent cross-site').to.match(/^__Host-pt_visitor=[0-9a-f-]{36}\.[\w-]{43}; .*; SameSite=None; Secure$/);
    const ownSite = await post({ 'x-forwarded-proto': 'https' });
    expect(ownSite.headers.get('set-cookie')).to.match(/; SameSite=Lax; Secure$/);
  });
});
