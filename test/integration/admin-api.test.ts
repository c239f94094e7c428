// The admin API on the metrics port, as the built service serves it against real redis-servers: the token,
// an export -> empty Redis -> import round trip read back through every API route, refused imports, the reset.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { addDays, dayOf } from '../../src/days.js';
import { HOME_RANKING_MAX_AGE_MS } from '../../src/routes/home.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';

const TOKEN = 'admin-token-for-tests-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('admin API on the metrics port (the built service, real Redis)', function () {
  this.timeout(60_000);
  const redises: RedisServer[] = [];
  const services: RunningService[] = [];
  afterEach(async () => {
    // SIGTERM, not SIGKILL: a process that exits normally writes its V8 coverage, which c8 counts.
    await Promise.all(services.splice(0).map((service) => service.stop('SIGTERM')));
    await Promise.all(redises.splice(0).map((redis) => redis.cleanup()));
  });
  async function serviceOnNewRedis(env: Record<string, string> = { ADMIN_TOKEN: TOKEN }): Promise<RunningService> {
    const redis = await startRedis();
    redises.push(redis);
    const service = await startService({ env: { REDIS_URL: redis.url, ...env } });
    services.push(service);
    return service;
  }
  const view = (service: RunningService, page: string, cookie = ''): Promise<Response> => fetch(`${service.baseUrl}/api/views/${page}`, { method: 'POST', headers: cookie === '' ? {} : { cookie } });
  async function exported(service: RunningService): Promise<string> {
    const answer = await fetch(`${service.metricsUrl}/admin/export`, { headers: auth });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get('content-type')).to.equal('application/x-ndjson');
    return answer.text();
  }
  const importing = (service: RunningService, body: string): Promise<Response> => fetch(`${service.metricsUrl}/admin/import`, { method: 'POST', headers: auth, body });
  async function countOf(service: RunningService): Promise<number> {
    const text = await (await fetch(`${service.metricsUrl}/admin/export`, { headers: auth })).text();
    return text.trim().split('\n').length - 1;
  }

  /** What every read route answers, the home page with the service's own address taken out. */
  async function answers(service: RunningService): Promise<unknown[]> {
    const today = new Date().toISOString().slice(0, 10);
    const read = async (path: string): Promise<unknown> => (await fetch(`${service.baseUrl}${path}`)).json();
    const home = (await (await fetch(`${service.baseUrl}/`)).text()).replaceAll(service.baseUrl, 'ORIGIN').replaceAll(service.baseUrl.replace('http://', ''), 'HOST');
    return [
      await read('/api/views/a'),
      await read('/api/views/a?to=' + today),
      await read(`/api/views/b/c?from=${today}&to=${today}`),
      await read('/api/views'),
      await read('/api/views?limit=5&to=' + today),
      home,
    ];
  }

  it('without ADMIN_TOKEN every /admin path answers 404 saying how to turn it on; /metrics is served as before', async () => {
    const service = await serviceOnNewRedis({});
    const answer = await fetch(`${service.metricsUrl}/admin/export`);
    expect(answer.status).to.equal(404);
    expect(((await answer.json()) as { message: string }).message).to.include('ADMIN_TOKEN');
    expect((await fetch(`${service.metricsUrl}/metrics`)).status).to.equal(200);
  });

  it('with ADMIN_TOKEN a request without the token, or with another, is a 401 and changes nothing', async () => {
    const service = await serviceOnNewRedis();
    await view(service, 'a');
    for (const headers of [{}, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: TOKEN }] as Array<Record<string, string>>) {
      expect((await fetch(`${service.metricsUrl}/admin/pages/a`, { method: 'DELETE', headers })).status).to.equal(401);
    }
    expect(((await (await fetch(`${service.baseUrl}/api/views/a`)).json()) as { views: number }).views).to.equal(1);
  });

  it('export -> an empty Redis -> import gives the same answers from every API route; importing it again changes nothing', async () => {
    const source = await serviceOnNewRedis();
    for (let i = 0; i < 3; i += 1) await view(source, 'a');
    const cookie = ((await view(source, 'a')).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    await view(source, 'a', cookie);
    await view(source, 'b/c');
    await fetch(`${source.baseUrl}/`);
    const body = await exported(source);
    const [header] = body.split('\n');
    expect(JSON.parse(header!)).to.deep.include({ format: 'page-tracker-export', version: 1, store: 'redis' });

    const target = await serviceOnNewRedis();
    const imported = await importing(target, body);
    expect(imported.status).to.equal(200);
    expect(await imported.json()).to.deep.equal({ imported: 3 });
    const lines = (text: string): string[] => text.split('\n').slice(1);
    const once = lines(await exported(target));
    expect((await importing(target, body)).status).to.equal(200);
    expect(lines(await exported(target)), 'the same import again').to.deep.equal(once);
    // The source's home page still shows figures read before the export, reused for HOME_RANKING_MAX_AGE_MS.
    await sleep(HOME_RANKING_MAX_AGE_MS + 100);
    expect(await answers(target)).to.deep.equal(await answers(source));
  });

  it('a refused import is a 400 naming the line and what is wrong, and writes nothing, not even its good lines', async () => {
    const service = await serviceOnNewRedis();
    const today = dayOf(Date.now());
    const yesterday = addDays(today, -1);
    expect((await view(service, 'a')).status).to.equal(200);
    const cases: Array<[string, RegExp]> = [
      ['{"page":"x","views":5}\nnot json', /^line 2: not JSON/],
      ['{"page":"x","views":5}\n{"page":"y","views":-1}', /^line 2: views must be a whole number/],
      ['{"page":"x","views":5}\n{"page":"a/../b","views":1}', /^line 2: page "a\/\.\.\/b" is not a page name/],
      ['{"page":"x","views":1,"days":[{"day":"2026-02-30","views":1}]}', /^line 1: days\[0\]\.day must be a calendar day/],
      ['{"page":"x","views":1,"days":[{"day":"2026-01-01","views":0},{"day":"2099-01-01","views":2}]}', /^line 1: days\[1\]\.day 2099-01-01 is after today/],
      ['{"page":"x","views":5}\n{"page":"x","views":6}', /^line 2: page x was given on an earlier line/],
      ['{"page":"x","views":1,"visitorState":{"ids":["v"]}}', /^line 1: visitorState is the memory store's visitor ids/],
      ['{"format":"something-else","version":1}', /^line 1: header must say format "page-tracker-export", version 1/],
      ['{"page":"x","views":1,"firstSeen":"2026-02-30"}', /^line 1: firstSeen must be a calendar day/],
      ['{"page":"x","views":1,"firstSeen":"2099-01-01"}', /^line 1: firstSeen 2099-01-01 is after today/],
      [`{"page":"x","views":2,"firstSeen":"${today}","days":[{"day":"${today}","views":1}]}`, /^line 1: firstSeen \S+ is within the retention, so the days' views \(1\) must add up to the page's views \(2\)/],
      [`{"page":"x","views":2,"firstSeen":"${today}","days":[{"day":"${yesterday}","views":1},{"day":"${today}","views":1}]}`, /^line 1: firstSeen \S+ is within the retention, so it must be the first day with views \(the first given is \S+\)/],
    ];
    for (const [body, message] of cases) {
      const answer = await importing(service, body);
      expect(answer.status, body).to.equal(400);
      const refusal = (await answer.json()) as { error: string; line: number; message: string };
      expect(refusal.error).to.equal('invalid_import');
      expect(refusal.message, body).to.match(message);
      expect(refusal.message).to.match(/nothing was imported$/);
    }
    expect(await countOf(service), 'only page a, as before').to.equal(1);
  });

  it('an import body over the size limit is a 413 and writes nothing', async () => {
    const service = await serviceOnNewRedis();
    const line = `${JSON.stringify({ page: 'x', views: 1 })}\n`;
    const answer = await importing(service, line.repeat(Math.ceil((32 * 1024 * 1024) / line.length) + 1));
    expect(answer.status).to.equal(413);
    expect(await answer.json()).to.have.property('error', 'too_large');
    expect(await countOf(service)).to.equal(0);
  });

  it('base counts start pages from another counter; later views count on from them', async () => {
    const service = await serviceOnNewRedis();
    const answer = await importing(service, '{"page":"/","views":5000}\n{"page":"docs/intro","views":120}\n');
    expect(answer.status).to.equal(200);
    expect(await (await fetch(`${service.baseUrl}/api/views?limit=5`)).json()).to.deep.include({ total: 5120 });
    expect(((await (await view(service, 'docs/intro')).json()) as { views: number }).views).to.equal(121);
  });

  it('DELETE /admin/pages/{page} resets one page and takes its views off the total; the home page is %2F', async () => {
    const service = await serviceOnNewRedis();
    await view(service, 'a');
    await view(service, 'a');
    await view(service, 'b/c');
    await fetch(`${service.baseUrl}/`);
    const reset = await fetch(`${service.metricsUrl}/admin/pages/a`, { method: 'DELETE', headers: auth });
    expect(reset.status).to.equal(200);
    expect(await reset.json()).to.deep.equal({ reset: { page: 'a', views: 2, visitors: 2 } });
    expect(await (await fetch(`${service.baseUrl}/api/views/a`)).json()).to.deep.include({ views: 0, visitors: 0 });
    expect((await (await fetch(`${service.baseUrl}/api/views?limit=5`)).json())).to.deep.include({ total: 2 });
    expect((await fetch(`${service.metricsUrl}/admin/pages/%2F`, { method: 'DELETE', headers: auth })).status).to.equal(200);
    expect((await (await fetch(`${service.baseUrl}/api/views?limit=5`)).json())).to.deep.equal({ pages: [{ page: 'b/c', views: 1 }], total: 1 });
    expect((await fetch(`${service.metricsUrl}/admin/pages/a%2Fb`, { method: 'DELETE', headers: auth })).status).to.equal(400);
  });

  it('every refusal is JSON with its code, message and headers: a wrong token, an unknown path, a wrong method, Redis gone', async () => {
    const redis = await startRedis();
    redises.push(redis);
    const service = await startService({ env: { REDIS_URL: redis.url, ADMIN_TOKEN: TOKEN } });
    services.push(service);
    const refusal = async (path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> => {
      const answer = await fetch(`${service.metricsUrl}${path}`, init);
      expect(answer.headers.get('content-type'), path).to.equal('application/json');
      return { status: answer.status, headers: answer.headers, body: await answer.json() };
    };
    const unauthorised = await refusal('/admin/export', { headers: { Authorization: 'Bearer wrong' } });
    expect(unauthorised).to.deep.include({ status: 401, body: { error: 'unauthorized', message: 'send Authorization: Bearer <ADMIN_TOKEN>' } });
    expect(unauthorised.headers.get('www-authenticate')).to.equal('Bearer realm="page-tracker admin"');
    expect(await refusal('/admin/nothing', { headers: auth })).to.deep.include({ status: 404 }).and.to.have.nested.property('body.error', 'not_found');
    const routes = [
      ['/admin/export', 'POST', 'GET', 'GET /admin/export'],
      ['/admin/import', 'GET', 'POST', 'POST /admin/import'],
      ['/admin/pages/a', 'GET', 'DELETE', 'DELETE /admin/pages/{page}'],
    ] as const;
    for (const [path, method, allowed, message] of routes) {
      const wrongMethod = await refusal(path, { method, headers: auth });
      expect(wrongMethod, `${method} ${path}`).to.deep.include({ status: 405, body: { error: 'method_not_allowed', message, allow: [allowed] } });
      expect(wrongMethod.headers.get('allow')).to.equal(allowed);
    }
    await redis.kill();
    const unavailable = await refusal('/admin/pages/a', { method: 'DELETE', headers: auth });
    expect(unavailable).to.deep.include({ status: 503 }).and.to.have.nested.property('body.error', 'store_unavailable');
    expect(unavailable.headers.get('retry-after')).to.equal('1');
  });
});
