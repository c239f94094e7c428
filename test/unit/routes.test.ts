import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { PageStats } from '../../src/store/view-store.js';
import { startApp, type AppHarness } from '../support/app-harness.js';

describe('routes on the in-memory store', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp({ maxPages: 3 });
  });
  afterEach(async () => {
    await app.close();
  });

  const post = (page: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${app.baseUrl}/api/views/${page}`, { method: 'POST', headers });

  // A URL (fetch's or node:http's) resolves `.` segments before the request is sent; a path option is sent as given.
  const postUnnormalised = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(app.baseUrl);
      request({ hostname, port, path, method: 'POST' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });

  it('GET / counts the home page and renders the count', async () => {
    expect(await (await fetch(`${app.baseUrl}/`)).text()).to.include('This page has been seen 1 time.');
    expect(await (await fetch(`${app.baseUrl}/`)).text()).to.include('This page has been seen 2 times.');
    const json = await fetch(`${app.baseUrl}/`, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).to.match(/^application\/json/);
    expect(await json.json()).to.deep.include({ page: '/', views: 3 });
  });

  it('HEAD / does not count a view', async () => {
    await fetch(`${app.baseUrl}/`, { method: 'HEAD' });
    const stats = (await (await fetch(`${app.baseUrl}/`, { headers: { accept: 'application/json' } })).json()) as { views: number };
    expect(stats.views).to.equal(1);
  });

  it('the home page is also reachable as page "/" through the API', async () => {
    await fetch(`${app.baseUrl}/`);
    expect(await (await fetch(`${app.baseUrl}/api/views//`)).json()).to.deep.include({ page: '/', views: 1 });
  });

  it('past MAX_PAGES a new page gets 409 JSON and nothing is written', async () => {
    for (const page of ['a', 'b', 'c']) expect((await post(page)).status).to.equal(200);
    const refused = await post('d');
    expect(refused.status).to.equal(409);
    expect(await refused.json()).to.deep.include({ error: 'page_limit_reached', maxPages: 3 });
    expect(await (await fetch(`${app.baseUrl}/api/views/d`)).json()).to.deep.equal({ page: 'd', views: 0, visitors: 0 });
    expect((await post('a')).status).to.equal(200);
    expect(((await (await fetch(`${app.baseUrl}/api/views`)).json()) as { total: number }).total).to.equal(4);
  });

  for (const page of ['', 'a/./b', 'a//b', 'x/', '/x']) {
    it(`POST /api/views/${page} is a 400 invalid_page and counts nothing`, async () => {
      await post('a');
      const refused = await postUnnormalised(`/api/views/${page}`);
      expect(refused.status).to.equal(400);
      expect(JSON.parse(refused.body)).to.deep.include({ error: 'invalid_page' });
      expect(await (await fetch(`${app.baseUrl}/api/views`)).json()).to.deep.equal({ pages: [{ page: 'a', views: 1 }], total: 1 });
    });
  }

  describe('Idempotency-Key', () => {
    const total = async (): Promise<number> => ((await (await fetch(`${app.baseUrl}/api/views`)).json()) as { total: number }).total;

    it('a repeated key answers the first figures with Idempotent-Replayed: true and counts nothing', async () => {
      const first = await post('a', { 'Idempotency-Key': 'load-1' });
      expect(first.status).to.equal(200);
      expect(first.headers.get('idempotent-replayed')).to.equal(null);
      const firstBody: unknown = await first.json();
      await post('a');
      const replay = await post('a', { 'Idempotency-Key': 'load-1' });
      expect(replay.status).to.equal(200);
      expect(replay.headers.get('idempotent-replayed')).to.equal('true');
      expect(await replay.json()).to.deep.equal(firstBody);
      expect(await total()).to.equal(2);
    });

    it('GET / honours the key too', async () => {
      const headers = { accept: 'application/json', 'Idempotency-Key': 'home-load-1' };
      const first: unknown = await (await fetch(`${app.baseUrl}/`, { headers })).json();
      const replay = await fetch(`${app.baseUrl}/`, { headers });
      expect(replay.headers.get('idempotent-replayed')).to.equal('true');
      expect(await replay.json()).to.deep.equal(first);
      expect(await total()).to.equal(1);
    });

    it(`accepts 128 characters of the whole alphabet`, async () => {
      const key = 'AZaz09._:-'.repeat(13).slice(0, 128);
      expect((await post('a', { 'Idempotency-Key': key })).status).to.equal(200);
      expect((await post('a', { 'Idempotency-Key': key })).headers.get('idempotent-replayed')).to.equal('true');
    });

    for (const [what, key] of [
      ['empty', ''],
      ['129 characters', 'k'.repeat(129)],
      ['a space', 'load 1'],
      ['a slash', 'load/1'],
      ['a non-ASCII letter', 'caf\u00e9'],
      ['two keys (joined with ", ")', ['load-1', 'load-2']],
    ] as const) {
      it(`a key that is ${what} is a 400 invalid_idempotency_key and counts nothing`, async () => {
        const headers = new Headers();
        for (const value of typeof key === 'string' ? [key] : key) headers.append('Idempotency-Key', value);
        const refused = await fetch(`${app.baseUrl}/api/views/a`, { method: 'POST', headers });
        expect(refused.status).to.equal(400);
        const body = (await refused.json()) as { error: string; message: string };
        expect(body.error).to.equal('invalid_idempotency_key');
        expect(body.message).to.include("1 to 128 characters from letters, digits, '.', '_', ':' and '-'");
        expect(refused.headers.get('set-cookie'), 'no visitor cookie for a refused view').to.equal(null);
        expect(await total()).to.equal(0);
      });
    }

    it('a key sent again for another page is a 422 idempotency_key_reused and counts nothing', async () => {
      await post('a', { 'Idempotency-Key': 'load-1' });
      const refused = await post('b', { 'Idempotency-Key': 'load-1' });
      expect(refused.status).to.equal(422);
      expect(await refused.json()).to.deep.include({ error: 'idempotency_key_reused' });
      expect(await (await fetch(`${app.baseUrl}/api/views`)).json()).to.deep.equal({ pages: [{ page: 'a', views: 1 }], total: 1 });
    });

    it('a replay does not add to page_tracker_views_total', async () => {
      await post('a', { 'Idempotency-Key': 'load-1' });
      await post('a', { 'Idempotency-Key': 'load-1' });
      expect((await app.metrics.viewsTotal.get()).values[0]?.value).to.equal(1);
    });
  });

  for (const limit of ['0', '101', 'abc', '-1', '2.5', '']) {
    it(`GET /api/views?limit=${limit} is a 400`, async () => {
      const response = await fetch(`${app.baseUrl}/api/views?limit=${limit}`);
      expect(response.status).to.equal(400);
      expect(((await response.json()) as { message: string }).message).to.include('from 1 to 100');
    });
  }

  it('a malformed visitor cookie is replaced by a fresh, signed id', async () => {
    const response = await post('a', { cookie: 'pt_visitor=not-a-uuid' });
    expect(response.headers.get('set-cookie')).to.match(/^pt_visitor=[0-9a-f-]{36}\.[\w-]{43};/);
  });

  it('without TRUST_PROXY, X-Forwarded-Proto is ignored (no Secure cookie)', async () => {
    const response = await post('a', { 'x-forwarded-proto': 'https' });
    expect(response.headers.get('set-cookie')).to.not.match(/secure/i);
  });

  it('labels metrics with the route template, never the raw path', async () => {
    await post('some/deep/page');
    await fetch(`${app.baseUrl}/random/${Math.random()}`);
    const text = await app.metrics.registry.metrics();
    expect(text).to.include('route="/api/views/:page"');
    expect(text).to.include('route="unmatched"');
    expect(text).to.not.include('some/deep/page');
    expect(text).to.not.include('/random/');
  });

  it('logs one JSON line per request with its request id', async () => {
    await fetch(`${app.baseUrl}/healthz`, { headers: { 'x-request-id': 'req-42' } });
    await fetch(`${app.baseUrl}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    await sleep(10);
    const requests = app.logLines().filter((line) => line.msg === 'request');
    expect(requests).to.have.length(2);
    expect(requests[0]).to.deep.include({ reqId: 'req-42', method: 'GET', path: '/healthz', route: '/healthz', status: 200 });
    expect(requests[1]?.reqId).to.match(/^[0-9a-f-]{36}$/);
  });

  it('GET /version names the version (from package.json), commit, build date and Node version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const response = await fetch(`${app.baseUrl}/version`);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(await response.json()).to.deep.equal({ version, commit: 'unknown', buildDate: 'unknown', node: process.version });
  });

  it('GET /api/info names the host (the pod, in Kubernetes), version, store kind and uptime', async () => {
    const info = (await (await fetch(`${app.baseUrl}/api/info`)).json()) as Record<string, unknown>;
    expect(info).to.have.keys(['hostname', 'version', 'store', 'uptimeSeconds']);
    expect(info).to.deep.include({ hostname: hostname(), store: 'memory' });
    expect(info.uptimeSeconds).to.be.a('number').within(0, process.uptime());
  });

  it('readiness answers 503 with a reason from the moment shutdown begins, and every answer then closes its connection', async () => {
    await sleep(20);
    const before = await fetch(`${app.baseUrl}/readyz`);
    expect(before.status).to.equal(200);
    expect(before.headers.get('connection')).to.equal('keep-alive');
    app.readiness.beginShutdown();
    const response = await fetch(`${app.baseUrl}/readyz`);
    expect(response.status).to.equal(503);
    expect(await response.json()).to.deep.equal({ status: 'not ready', reason: 'shutting down' });
    const live = await fetch(`${app.baseUrl}/healthz`);
    expect(live.status).to.equal(200);
    expect(live.headers.get('connection')).to.equal('close');
  });
});

describe('routes behind a trusted proxy (TRUST_PROXY=true)', () => {
  let app: AppHarness;
  before(async () => {
    app = await startApp({ trustProxy: true });
  });
  after(async () => {
    await app.close();
  });

  it('honours X-Forwarded-Proto (Secure cookie) and the address the proxy appended to X-Forwarded-For', async () => {
    // A client forged 198.51.100.9; the trusted proxy appended the address it really saw.
    const response = await fetch(`${app.baseUrl}/api/views/a`, {
      method: 'POST',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.9, 203.0.113.7' },
    });
    expect(response.status).to.equal(200);
    expect(response.headers.get('set-cookie')).to.match(/^__Host-pt_visitor=[0-9a-f-]{36}\.[\w-]{43}; Path=\/; .*; Secure$/);
    await sleep(10);
    const line = app.logLines().find((entry) => entry.msg === 'request');
    expect(line?.ip).to.equal('203.0.113.7');
  });

  it('over HTTPS names the visitor cookie __Host- (Secure, Path=/, no Domain) and honours only that name there', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const first = await fetch(`${app.baseUrl}/api/views/host-prefix`, { method: 'POST', headers: https });
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).to.match(/^__Host-pt_visitor=[^;]+; Path=\/; /).and.to.match(/; Secure$/).and.not.match(/Domain=/i);
    const pair = cookie.split(';')[0]!;
    const again = await fetch(`${app.baseUrl}/api/views/host-prefix`, { method: 'POST', headers: { ...https, cookie: pair } });
    expect(again.headers.get('set-cookie'), 'the __Host- cookie is the same visitor').to.equal(null);
    expect(((await again.json()) as { visitors: number }).visitors).to.equal(1);
    // The same signed id under the plain name (which anyone on plain HTTP or a sibling subdomain can set) is not honoured over HTTPS.
    const plain = await fetch(`${app.baseUrl}/api/views/host-prefix`, { method: 'POST', headers: { ...https, cookie: pair.replace('__Host-', '') } });
    expect(plain.headers.get('set-cookie')).to.match(/^__Host-pt_visitor=/);
    expect(((await plain.json()) as { visitors: number }).visitors).to.equal(2);
  });
});

describe('an error that is no answer (a bug)', () => {
  // A store with a bug: what it throws is no HttpError, or one not meant for the client.
  class BrokenStore extends MemoryStore {
    override getPage(page: string): Promise<PageStats> {
      if (page === 'hidden') return Promise.reject(Object.assign(new HttpError(418, 'secret_code', 'secret detail'), { expose: false }));
      return Promise.reject(new Error('secret detail: the store lost its map'));
    }
  }
  let app: AppHarness;
  before(async () => {
    app = await startApp({ store: new BrokenStore({ maxPages: 10 }) });
  });
  after(async () => {
    await app.close();
  });

  it('answers 500 internal_error without its details, and logs it with the request id', async () => {
    for (const page of ['broken', 'hidden']) {
      const response = await fetch(`${app.baseUrl}/api/views/${page}`, { headers: { 'x-request-id': `req-${page}` } });
      expect(response.status, page).to.equal(500);
      const text = await response.text();
      expect(JSON.parse(text)).to.deep.equal({ error: 'internal_error', message: 'internal error; the request id is in X-Request-Id' });
      expect(text).to.not.include('secret');
      await sleep(10);
      const logged = app.logLines().find((line) => line.msg === 'unexpected error' && line.reqId === `req-${page}`);
      expect(logged, `the log line of req-${page}`).to.not.equal(undefined);
      expect(JSON.stringify(logged)).to.include('secret detail');
    }
  });
});
