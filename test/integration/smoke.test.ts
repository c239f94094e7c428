// The smoke suite (test/smoke/, which knows only URLs) against the built service and a private redis-server,
// exactly as it later runs against a container or the kind cluster (`npm run smoke` with BASE_URL and
// METRICS_URL). It runs twice: straight at the service, then through test/support/strict-proxy (a Go reverse
// proxy that, like Traefik, refuses invalid percent-escapes itself and routes only its Ingress-like host name),
// so the suite is known to hold behind the e2e's ingress too. Its own output is shown as it runs.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';
import { startStrictProxy, type StrictProxy } from '../support/strict-proxy.js';

// A reserved name (.test never resolves): every request must carry it as its Host header.
const proxiedHost = 'page-tracker.smoke.test';

/** `npm run smoke` with the given target; resolves mocha's exit code (the number of failures). */
function runSmoke(env: Record<string, string>): Promise<number | null> {
  const mocha = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', '--config', 'test/tiers/suite.cjs'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, SUITE: 'smoke', HOST_HEADER: '', ...env },
  });
  return new Promise((resolve) => mocha.once('exit', (code) => resolve(code)));
}

describe('the smoke suite against the built service', function () {
  let redis: RedisServer;
  let service: RunningService;

  before(async function () {
    redis = await startRedis();
    service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
  });

  after(async function () {
    const exitCode = await service?.stop();
    await redis?.cleanup();
    expect(exitCode, `the service's exit code on SIGTERM; its log:\n${service?.logs().join('\n')}`).to.equal(0);
  });

  it('passes straight at the service', async function () {
    this.timeout(120_000);
    expect(await runSmoke({ BASE_URL: service.baseUrl, METRICS_URL: service.metricsUrl }), 'smoke suite failures (its output is above)').to.equal(0);
  });

  describe('through the strict Go proxy', function () {
    let proxy: StrictProxy;

    before(async function () {
      // The first `go build` of the proxy takes about a minute on two busy cores; later ones hit Go's cache.
      this.timeout(300_000);
      proxy = await startStrictProxy(service.baseUrl, proxiedHost);
    });

    after(async function () {
      await proxy?.stop();
    });

    it(`passes with every request sent as Host: ${proxiedHost}`, async function () {
      this.timeout(120_000);
      const failures = await runSmoke({ BASE_URL: proxy.url, METRICS_URL: service.metricsUrl, HOST_HEADER: proxiedHost });
      expect(failures, 'smoke suite failures (its output is above)').to.equal(0);
    });
  });
});
