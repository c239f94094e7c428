// redis_exporter as the chart runs it (the image's version built from its Go module, the container's rendered
// environment) against the chart's own Redis (test/support/chart-redis.ts): it scrapes everything as its own
// ACL user, and its /scrape endpoint, which would log in with that password to any host a caller names, is off.
import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { startChartRedis, type ChartRedis, type ChartRedisPasswords } from '../support/chart-redis.js';
import { oneOf } from '../support/kube-typed.js';
import { freePort } from '../support/ports.js';
import { startRedisExporter, type RunningExporter } from '../support/redis-exporter.js';

const PASSWORDS: ChartRedisPasswords = { app: 'app-password-for-exporter-test', probe: 'probe-password-for-exporter-test', exporter: 'exporter-password-for-exporter-test' };

/** A TCP listener on 127.0.0.1 that counts who connects: the host a /scrape?target= would send the exporter to. */
async function trap(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, connections: () => connections };
}

describe('redis_exporter as the chart runs it, against the chart\'s Redis', function () {
  // The first run builds the exporter (go install, about a minute on a busy machine); later runs reuse it.
  this.timeout(300_000);
  let redis: ChartRedis;
  let env: Record<string, string>;
  let exporter: RunningExporter | undefined;

  before(async function () {
    redis = await startChartRedis({ redis: { auth: { password: PASSWORDS.app }, exporter: { enabled: true } } }, PASSWORDS);
    const container = oneOf(redis.rendered.objects, 'StatefulSet', 'page-tracker-redis').spec?.template.spec?.containers.find((c) => c.name === 'redis-exporter');
    env = resolve(container?.env ?? []);
  });

  afterEach(async function () {
    await exporter?.stop();
    exporter = undefined;
  });

  after(async function () {
    await redis.stop();
  });

  /** The container's environment: the exporter's password from the users Secret, the pod's Redis at its local port. */
  function resolve(vars: readonly IEnvVar[]): Record<string, string> {
    const resolved: Record<string, string> = {};
    for (const e of vars) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        expect(ref, e.name).to.deep.equal({ name: 'page-tracker-redis-users', key: 'exporter-password' });
        resolved[e.name] = PASSWORDS.exporter;
      } else {
        resolved[e.name] = (e.value ?? '').replace('127.0.0.1:6379', `127.0.0.1:${redis.port}`);
      }
    }
    return resolved;
  }

  it('logs in as the exporter user and scrapes without an error (every command it sends is granted)', async function () {
    expect(env).to.include({ REDIS_USER: 'exporter', REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT: 'true' });
    exporter = await startRedisExporter(env, await freePort());
    const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(metrics).to.match(/^redis_up 1$/m);
    expect(metrics).to.match(/^redis_exporter_last_scrape_error\{err=""\} 0$/m);
    expect(metrics).to.match(/^redis_connected_clients \d+$/m);
    // From CONFIG GET and INFO: maxmemory, 70 % of the rendered 256Mi limit.
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('redis_config_maxmemory')).to.equal(Math.floor((256 * 2 ** 20 * 70) / 100));
    expect(value('redis_memory_max_bytes')).to.equal(value('redis_config_maxmemory'));
    expect(exporter.output()).not.to.match(/level=error|NOPERM/);
  });

  it('answers /scrape?target= with 404 and connects to no host a caller names', async function () {
    const target = await trap();
    try {
      exporter = await startRedisExporter(env, await freePort());
      const answer = await fetch(`${exporter.url}/scrape?target=redis://127.0.0.1:${target.port}`);
      expect(answer.status).to.equal(404);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(target.connections()).to.equal(0);
    } finally {
      target.server.close();
    }
  });

  it('(the check above can fail: without REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT the same request reaches that host)', async function () {
    const target = await trap();
    try {
      const open = Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT'));
      exporter = await startRedisExporter(open, await freePort());
      await fetch(`${exporter.url}/scrape?target=redis://127.0.0.1:${target.port}`);
      expect(target.connections()).to.be.above(0);
    } finally {
      target.server.close();
    }
  });
});
