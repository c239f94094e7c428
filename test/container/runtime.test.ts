// The runtime image run the hardened way (read-only root fs, no capabilities, no-new-privileges, non-root)
// against a real Redis container: it passes the smoke suite, stays unprivileged, turns healthy, and stops
// cleanly on SIGTERM while a request is in flight.
import { expect } from 'chai';
import { DockerResources, containerState, docker, run, uniqueName, waitForHealth } from '../support/docker.js';
import { runtimeImage, buildArgs } from './images.js';
import { startHardenedApp, startRedis, type RunningApp, type Views } from './stack.js';

interface ImageConfig {
  User: string;
  Env: string[];
  ExposedPorts: Record<string, object>;
  Labels: Record<string, string>;
  Healthcheck?: { Test: string[] };
  Cmd: string[];
}

describe('container: the runtime image', function () {
  const resources = new DockerResources();
  let network: string;
  let redis: string;
  let app: RunningApp;

  before(async function () {
    network = resources.network(uniqueName('pt-ct-net'));
    await docker('network', 'create', network);
    redis = await startRedis(resources, { name: uniqueName('pt-ct-redis'), network });
    app = await startHardenedApp(resources, { name: uniqueName('pt-ct-app'), network, redis });
  });

  after(async function () {
    await resources.removeAll();
  });

  it('passes the smoke suite (test/smoke) while read-only, without capabilities, with no-new-privileges', async function () {
    const smoke = await run('npm', ['run', 'smoke'], {
      env: { ...process.env, BASE_URL: app.baseUrl, METRICS_URL: app.metricsUrl },
    });
    expect(smoke.code, `npm run smoke failed:\n${smoke.stdout}\n${smoke.stderr}`).to.equal(0);
  });

  it('runs as uid/gid 10001 and cannot write its root filesystem, only /tmp', async function () {
    expect(await docker('exec', app.name, 'id', '-u')).to.equal('10001');
    expect(await docker('exec', app.name, 'id', '-g')).to.equal('10001');
    // EROFS (not EACCES) proves the file system is read-only, whatever the permissions.
    const writeProbe = (file: string) =>
      `try { require('fs').writeFileSync('${file}', 'x'); console.log('written') } catch (e) { console.log(e.code) }`;
    expect(await docker('exec', app.name, 'node', '-e', writeProbe('/app/probe'))).to.equal('EROFS');
    expect(await docker('exec', app.name, 'node', '-e', writeProbe('/probe'))).to.equal('EROFS');
    expect(await docker('exec', app.name, 'node', '-e', writeProbe('/tmp/probe'))).to.equal('written');
    const status = await docker('exec', app.name, 'cat', '/proc/1/status');
    expect(status, 'effective capabilities of PID 1').to.match(/^CapEff:\s+0{16}$/m);
    expect(status, 'no-new-privileges').to.match(/^NoNewPrivs:\s+1$/m);
  });

  it('declares non-root user, ports, NODE_ENV, OCI labels from build args, and has no devDependencies', async function () {
    const config = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', runtimeImage)) as ImageConfig;
    expect(config.User).to.equal('10001:10001');
    expect(Object.keys(config.ExposedPorts).sort()).to.deep.equal(['8080/tcp', '9100/tcp']);
    expect(config.Env).to.include('NODE_ENV=production');
    expect(config.Cmd).to.deep.equal(['node', 'dist/server.js']);
    expect(config.Labels).to.include({
      'org.opencontainers.image.version': buildArgs.VERSION,
      'org.opencontainers.image.revision': buildArgs.REVISION,
      'org.opencontainers.image.created': buildArgs.BUILD_DATE,
      'org.opencontainers.image.source': buildArgs.SOURCE,
    });
    const present = await docker('exec', app.name, 'node', '-e',
      "const fs = require('fs'); console.log(['typescript', 'mocha', 'eslint', 'tsx', 'koa'].filter((m) => fs.existsSync('node_modules/' + m)).join(' '))");
    expect(present, 'packages in /app/node_modules').to.equal('koa');
  });

  it('answers GET /version with the commit and build date given as build args', async function () {
    const build = (await (await fetch(`${app.baseUrl}/version`)).json()) as Record<string, string>;
    expect(build).to.deep.include({ version: buildArgs.VERSION, commit: buildArgs.REVISION, buildDate: buildArgs.BUILD_DATE });
    expect(build.node).to.match(/^v24\./);
  });

  it('turns healthy through its HEALTHCHECK (a node one-liner on /healthz)', async function () {
    const state = await waitForHealth(app.name, 60_000);
    expect(state.Health?.Status).to.equal('healthy');
    const log = state.Health?.Log ?? [];
    expect(log.at(-1)?.ExitCode, 'last probe exit code').to.equal(0);
  });

  it('on docker stop finishes the request in flight, then exits 0 well before the 10 s grace period', async function () {
    // Redis paused for 3 s keeps one request in flight (waiting on INCR) while SIGTERM arrives; the
    // command timeout is raised so the request waits for Redis instead of failing.
    const pauseMs = 3000;
    const stopping = await startHardenedApp(resources, {
      name: uniqueName('pt-ct-stop'), network, redis, env: { REDIS_COMMAND_TIMEOUT_MS: '8000' },
    });
    await docker('exec', redis, 'redis-cli', 'CLIENT', 'PAUSE', String(pauseMs), 'ALL');
    const inFlight = fetch(`${stopping.baseUrl}/api/views/stop-test`, { method: 'POST' });
    await waitForInFlightRequest(stopping.metricsUrl);

    const startedStop = Date.now();
    await docker('stop', '--time', '10', stopping.name);
    const stopMs = Date.now() - startedStop;

    const response = await inFlight;
    expect(response.status, 'the in-flight request').to.equal(200);
    expect(((await response.json()) as Views).views).to.be.a('number');
    const state = await containerState(stopping.name);
    expect(state.ExitCode, 'exit code after SIGTERM').to.equal(0);
    expect(state.OOMKilled).to.equal(false);
    // docker stop sends SIGKILL at 10 s (exit 137); finishing before it is what exit code 0 proves.
    expect(stopMs, 'docker stop duration (ms)').to.be.below(10_000);
    console.log(`      docker stop took ${stopMs} ms (Redis was paused for ${pauseMs} ms)`);
  });
});

/** Waits until the app's own gauge says a request is being served. */
async function waitForInFlightRequest(metricsUrl: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    const value = /^http_requests_in_flight(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1];
    if (Number(value) >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no request showed up in http_requests_in_flight within 2 s');
}
