// The least-privilege Redis users, as the chart renders them (ACL file, start-up script, probes) and run by
// a real redis-server (test/support/chart-redis.ts): the built service counts views as its own ACL user,
// which can do nothing else, and the probe user can only PING.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { startChartRedis, type ChartRedis, type ChartRedisPasswords } from '../support/chart-redis.js';
import { waitFor } from '../support/processes.js';
import { startService, type RunningService } from '../support/service.js';

const PASSWORDS: ChartRedisPasswords = { app: 'app-password-for-acl-test', probe: 'probe-password-for-acl-test', exporter: 'exporter-password-for-acl-test' };

/** Every write Redis has logged (the append-only files), to show what a refused command did not write. */
async function readAof(redis: ChartRedis): Promise<string> {
  const dir = path.join(redis.dir, 'data', 'appendonlydir');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.aof'));
  return (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('');
}

describe('Redis ACL users rendered from the chart, with the built service', function () {
  this.timeout(30_000);
  let redis: ChartRedis;
  let secrets: string;
  let app: Redis;

  before(async function () {
    redis = await startChartRedis({ redis: { auth: { password: PASSWORDS.app }, exporter: { enabled: true } } }, PASSWORDS);
    secrets = await mkdtemp(path.join(os.tmpdir(), 'acl-secrets-'));
    app = new Redis(redis.url, { username: redis.rendered.appUser, password: PASSWORDS.app, lazyConnect: true, maxRetriesPerRequest: 0 });
    await app.connect();
  });

  after(async function () {
    app.disconnect();
    await redis.stop();
    await rm(secrets, { recursive: true, force: true });
  });

  async function countsAs(env: Record<string, string>): Promise<void> {
    const service: RunningService = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...env } });
    try {
      await waitFor('readiness', async () => ((await fetch(`${service.baseUrl}/readyz`)).status === 200 ? true : undefined), 5000);
      const page = `acl-${Math.random().toString(36).slice(2)}`;
      for (const expected of [1, 2]) {
        const posted = await fetch(`${service.baseUrl}/api/views/${page}`, { method: 'POST' });
        expect(posted.status, await posted.clone().text()).to.equal(200);
        expect(((await posted.json()) as { views: number }).views).to.equal(expected);
      }
      const stats = await fetch(`${service.baseUrl}/api/views/${page}`);
      expect(((await stats.json()) as { views: number }).views).to.equal(2);
      const top = (await (await fetch(`${service.baseUrl}/api/views`)).json()) as { pages: Array<{ page: string }> };
      expect(top.pages.map((p) => p.page)).to.include(page);
      expect(service.stderr()).to.equal('');
      expect(service.logs().filter((line) => /"level":(40|50)/.test(line) || line.includes('NOPERM'))).to.deep.equal([]);
    } finally {
      await service.stop();
    }
  }

  it('names the app user in the Deployment (REDIS_USERNAME) that the ACL file defines', function () {
    expect(redis.rendered.appUser).to.equal('page-tracker');
    expect(redis.rendered.acl).to.match(/^user page-tracker reset on #@APP_PASSWORD_SHA256@ ~page-tracker:\* /m);
  });

  it('counts views, reads a page and the top list as the app user, its password from REDIS_PASSWORD_FILE as the chart mounts it', async function () {
    const file = path.join(secrets, 'redis-password');
    await writeFile(file, PASSWORDS.app);
    await countsAs({ REDIS_USERNAME: redis.rendered.appUser, REDIS_PASSWORD_FILE: file });
  });

  it('counts views with the user in REDIS_URL and the password in REDIS_PASSWORD (ioredis alone dropped that password)', async function () {
    await countsAs({ REDIS_URL: `redis://${redis.rendered.appUser}@127.0.0.1:${redis.port}`, REDIS_PASSWORD: PASSWORDS.app });
  });

  async function refused(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
    } catch (error) {
      return String(error);
    }
    throw new Error('Redis ran it for the app user');
  }

  it('refuses the app user FLUSHALL, CONFIG, KEYS, UNLINK, ACL, SHUTDOWN, REPLICAOF and a key outside its prefix', async function () {
    await app.set('page-tracker:acl-probe', '1');
    for (const [name, run] of [
      ['FLUSHALL', () => app.flushall()],
      ['FLUSHDB', () => app.flushdb()],
      ['CONFIG GET', () => app.config('GET', 'requirepass')],
      ['CONFIG SET', () => app.config('SET', 'appendonly', 'no')],
      ['KEYS', () => app.keys('*')],
      ['SCAN', () => app.scan(0)],
      // DEL is granted (a range read deletes its scratch key, a reset a page's keys): UNLINK, never called, is not.
      ['UNLINK', () => app.unlink('page-tracker:acl-probe')],
      ['ACL SETUSER', () => app.call('ACL', 'SETUSER', 'intruder', 'on', '>x', '+@all', '~*')],
      ['SHUTDOWN', () => app.call('SHUTDOWN', 'NOSAVE')],
      ['REPLICAOF', () => app.call('REPLICAOF', '127.0.0.1', '1')],
      ['FUNCTION LOAD', () => app.call('FUNCTION', 'LOAD', "#!lua name=x\nredis.register_function('x', function() return 1 end)")],
      ['SET outside the prefix', () => app.set('other-app:key', '1')],
      ['GET outside the prefix', () => app.get('other-app:key')],
    ] as const) {
      expect(await refused(run), name).to.match(/NOPERM/);
    }
    expect(await app.get('page-tracker:acl-probe'), 'nothing was flushed or deleted').to.equal('1');
  });

  it('refuses a Lua script of the app user that calls FLUSHALL, KEYS or a key outside the prefix: scripts run with the caller\'s rights', async function () {
    for (const script of ["return redis.call('FLUSHALL')", "return redis.call('KEYS', '*')", "return redis.call('SET', 'other-app:key', '1')"]) {
      expect(await refused(() => app.eval(script, 0)), script).to.match(/The user executing the script can't (run this command|access at least one of the keys)/);
    }
    expect(await app.get('page-tracker:acl-probe')).to.equal('1');
    const aof = await readAof(redis);
    expect(aof, 'the AOF holds the app\'s writes').to.include('page-tracker:acl-probe');
    expect(aof, 'and no write outside the prefix').not.to.include('other-app:key');
  });

  it('lets the app user SET a key under its own prefix: the view script needs SET, and Redis checks a script\'s commands against its caller', async function () {
    expect(await app.set('page-tracker:acl-set', 'x')).to.equal('OK');
  });

  it('lets the probe user PING and nothing else; the default user is off', async function () {
    expect(await redis.cli('probe', PASSWORDS.probe, 'ping')).to.equal('PONG');
    for (const command of [['get', 'page-tracker:acl-probe'], ['info'], ['config', 'get', 'maxmemory'], ['flushall'], ['set', 'x', '1']]) {
      expect(await redis.cli('probe', PASSWORDS.probe, ...command), command.join(' ')).to.match(/NOPERM/);
    }
    expect(await redis.cli(undefined, undefined, 'auth', 'default', '')).to.match(/WRONGPASS|ERR/);
    expect(await redis.cli(undefined, undefined, 'ping')).to.match(/NOAUTH/);
  });

  it('gives the exporter user INFO and CONFIG GET, and no key, no write, no CONFIG SET (test/integration/redis-exporter.test.ts runs the exporter itself)', async function () {
    expect(await redis.cli('exporter', PASSWORDS.exporter, 'info', 'server')).to.match(/redis_version:/);
    expect(await redis.cli('exporter', PASSWORDS.exporter, 'config', 'get', 'maxmemory-policy')).to.equal('maxmemory-policy\nnoeviction');
    for (const command of [['get', 'page-tracker:acl-probe'], ['set', 'page-tracker:acl-probe', '2'], ['flushall'], ['config', 'set', 'appendonly', 'no'], ['eval', "return redis.call('get', 'page-tracker:acl-probe')", '0']]) {
      expect(await redis.cli('exporter', PASSWORDS.exporter, ...command), command.join(' ')).to.match(/NOPERM|can't run this command|can't access at least one of the keys/);
    }
  });
});
