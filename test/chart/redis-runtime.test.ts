// Runs the chart's own Redis start-up script, redis.conf, ACL file and probe commands with a real
// redis-server (test/support/chart-redis.ts), so a typo in redis.conf, a password that breaks the ACL file,
// or a probe that never says PONG is caught here rather than as a crash-looping pod.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { startChartRedis, type ChartRedis } from '../support/chart-redis.js';

describe('chart: the Redis container as rendered, run with a real redis-server', function () {
  this.timeout(30_000);
  let redis: ChartRedis | undefined;

  afterEach(async function () {
    await redis?.stop();
    redis = undefined;
  });

  for (const password of ['generatedLikeThis0123456789abcdef', 'with "quotes", a \\backslash, a / and spaces']) {
    it(`starts with the rendered redis.conf and ACL file, and passes every probe (app password ${JSON.stringify(password)})`, async function () {
      const passwords = { app: password, probe: 'probe-password-0123456789', exporter: 'exporter-password-0123456789' };
      redis = await startChartRedis({ redis: { auth: { password }, exporter: { enabled: true } } }, passwords);
      for (const [name, script] of Object.entries(redis.rendered.probes)) {
        expect(await redis.probe(script), `${name} probe with the probe user's password`).to.equal(true);
      }
      expect(await redis.probe(redis.rendered.probes.readiness, 'wrong-password'), 'readiness with a wrong password').to.equal(false);
      expect(await redis.cli(undefined, undefined, 'incr', 'page-tracker:views')).to.match(/NOAUTH/);
      expect(await redis.cli(undefined, undefined, 'auth', 'default', 'any-password'), 'the default user is off').to.match(/WRONGPASS/);
      expect(await redis.cli('page-tracker', password, 'incr', 'page-tracker:views')).to.equal('1');
      const asApp = redis.cli.bind(redis, 'page-tracker', password);
      expect(await asApp('config', 'get', 'appendonly'), 'CONFIG is no command of the app').to.match(/NOPERM/);
      expect(redis.rendered.memoryLimit).to.equal('256Mi');
      expect(await redis.cli('exporter', passwords.exporter, 'config', 'get', 'maxmemory'), 'maxmemory: 70 % of the 256Mi limit').to.equal(`maxmemory\n${Math.floor((256 * 2 ** 20 * 70) / 100)}`);
      expect(await redis.cli('exporter', passwords.exporter, 'config', 'get', 'maxmemory-policy')).to.equal('maxmemory-policy\nnoeviction');
      const conf = await readFile(path.join(redis.dir, 'etc', 'redis.conf'), 'utf8');
      expect(conf).to.match(/^appendonly yes$/m);
      expect(conf).to.match(/^appendfsync everysec$/m);
      expect(conf).to.match(/^maxmemory-policy noeviction$/m);
      const aof = await readdir(path.join(redis.dir, 'data', 'appendonlydir'));
      expect(aof.some((f) => f.endsWith('.incr.aof'))).to.equal(true);
      const acl = path.join(redis.dir, 'run', 'users.acl');
      expect((await stat(acl)).mode & 0o077, 'users.acl readable by others').to.equal(0);
      const written = await readFile(acl, 'utf8');
      for (const secret of Object.values(passwords)) expect(written, 'the ACL file holds hashes, not passwords').not.to.include(secret);
      expect(written).not.to.match(/@[A-Z_]+_SHA256@/);
    });
  }

  it('takes maxmemory from redis.config.maxmemory when it is given, and from the memory limit and maxmemoryPercent when not', async function () {
    const passwords = { app: 'app-password-0123456789', probe: 'probe-password-0123456789', exporter: 'exporter-password-0123456789' };
    redis = await startChartRedis({ redis: { config: { maxmemory: '64mb' }, exporter: { enabled: true } } }, passwords);
    expect(await redis.cli('exporter', passwords.exporter, 'config', 'get', 'maxmemory')).to.equal(`maxmemory\n${64 * 2 ** 20}`);
    await redis.stop();
    redis = await startChartRedis({ redis: { config: { maxmemoryPercent: 50 }, resources: { limits: { memory: '1Gi' } }, exporter: { enabled: true } } }, passwords);
    expect(await redis.cli('exporter', passwords.exporter, 'config', 'get', 'maxmemory')).to.equal(`maxmemory\n${2 ** 30 / 2}`);
  });

  it('keeps what the app\'s scripts wrote across a restart: the AOF replays as the default user, which is off but keeps its rights', async function () {
    const passwords = { app: 'app-password-0123456789', probe: 'probe-password-0123456789', exporter: 'exporter-password-0123456789' };
    redis = await startChartRedis({}, passwords);
    // A script's writes go to the AOF inside MULTI/EXEC. Redis replays the AOF as its default user; with that
    // user's rights taken away, Redis 7.0 refuses every such EXEC on loading and starts empty.
    const script = "redis.call('incr', KEYS[1]); return redis.call('incr', KEYS[1])";
    expect(await redis.cli('page-tracker', passwords.app, 'eval', script, '1', 'page-tracker:views')).to.equal('2');
    await redis.restart();
    expect(await redis.cli('page-tracker', passwords.app, 'get', 'page-tracker:views')).to.equal('2');
    expect(redis.logs()).not.to.include('CRITICAL');
    expect(await redis.cli(undefined, undefined, 'auth', 'default', 'any-password'), 'and no one can log in as it').to.match(/WRONGPASS/);
  });
});
