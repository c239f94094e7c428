// Runs the chart's own Redis start-up script, redis.conf and probe commands with a real redis-server, so a
// typo in redis.conf, a password that breaks the generated include, or a probe that never says PONG is
// caught here rather than as a crash-looping pod. Paths and the TCP port are swapped for a temp dir and a
// unix socket; everything else is the text the chart renders.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { renderChart } from '../support/chart.js';
import { findOnPath } from '../support/find-on-path.js';
import { oneOf } from '../support/kube-typed.js';

const run = promisify(execFile);

interface Rendered {
  conf: string;
  script: string;
  probes: { startup: string; liveness: string; readiness: string };
}

async function renderRedis(password: string, dir: string): Promise<Rendered> {
  // A values file, not --set: helm's --set syntax would split a password at its commas.
  const valuesFile = path.join(dir, 'password-values.yaml');
  await writeFile(valuesFile, stringify({ redis: { auth: { password } } }));
  const objects = await renderChart({ valuesFiles: [valuesFile] });
  const container = oneOf(objects, 'StatefulSet', 'page-tracker-redis').spec?.template.spec?.containers.find((c) => c.name === 'redis');
  const probeScript = (cmd: string[] | undefined): string => {
    if (cmd?.[0] !== '/bin/sh' || cmd[1] !== '-c' || !cmd[2]) throw new Error(`unexpected probe command ${JSON.stringify(cmd)}`);
    return cmd[2];
  };
  return {
    conf: oneOf(objects, 'ConfigMap', 'page-tracker-redis').data?.['redis.conf'] ?? '',
    script: container?.args?.[0] ?? '',
    probes: {
      startup: probeScript(container?.startupProbe?.exec?.command),
      liveness: probeScript(container?.livenessProbe?.exec?.command),
      readiness: probeScript(container?.readinessProbe?.exec?.command),
    },
  };
}

describe('chart: the Redis container as rendered, run with a real redis-server', function () {
  this.timeout(30_000);
  let dir: string;
  let server: ChildProcess | undefined;

  before(function () {
    findOnPath('redis-server', 'redis-server');
    findOnPath('redis-cli', 'redis-tools');
  });

  beforeEach(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'chart-redis-'));
  });

  afterEach(async function () {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      process.kill(server.pid, 'SIGTERM');
      await exited;
    }
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** The rendered text with the pod's paths and port pointed at the temp dir and a unix socket. */
  function localise(text: string): string {
    const socket = path.join(dir, 'redis.sock');
    return text
      .replaceAll('/run/redis', path.join(dir, 'run'))
      .replaceAll('/etc/redis', path.join(dir, 'etc'))
      .replaceAll('dir /data', `dir ${path.join(dir, 'data')}`)
      .replace(/^port 6379$/m, `port 0\nunixsocket ${socket}\nunixsocketperm 700`)
      .replaceAll('-h 127.0.0.1 -p 6379', `-s ${socket}`);
  }

  async function start(password: string): Promise<Rendered> {
    const rendered = await renderRedis(password, dir);
    for (const sub of ['run', 'etc', 'data']) await mkdir(path.join(dir, sub));
    await writeFile(path.join(dir, 'etc', 'redis.conf'), localise(rendered.conf));
    const logs: string[] = [];
    server = spawn('/bin/sh', ['-c', localise(rendered.script)], { env: { PATH: process.env.PATH, REDIS_PASSWORD: password }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await probe(rendered.probes.readiness, password))) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`redis did not become ready:\n${logs.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return rendered;
  }

  async function probe(script: string, auth: string): Promise<boolean> {
    try {
      await run('/bin/sh', ['-c', localise(script)], { env: { PATH: process.env.PATH, REDISCLI_AUTH: auth } });
      return true;
    } catch {
      return false;
    }
  }

  async function cli(auth: string | undefined, ...args: string[]): Promise<string> {
    const env = { PATH: process.env.PATH, ...(auth === undefined ? {} : { REDISCLI_AUTH: auth }) };
    const { stdout } = await run('redis-cli', ['-s', path.join(dir, 'redis.sock'), ...args], { env });
    return stdout.trim();
  }

  for (const password of ['generatedLikeThis0123456789abcdef', 'with "quotes", a \\backslash and spaces']) {
    it(`starts with the rendered redis.conf, requires the password and passes every probe (password ${JSON.stringify(password)})`, async function () {
      const rendered = await start(password);
      for (const [name, script] of Object.entries(rendered.probes)) {
        expect(await probe(script, password), `${name} probe with the right password`).to.equal(true);
      }
      expect(await probe(rendered.probes.readiness, 'wrong-password'), 'readiness with a wrong password').to.equal(false);
      expect(await cli(undefined, 'incr', 'views')).to.match(/NOAUTH/);
      expect(await cli(password, 'incr', 'views')).to.equal('1');
      expect(await cli(password, 'config', 'get', 'appendonly')).to.equal('appendonly\nyes');
      expect(await cli(password, 'config', 'get', 'appendfsync')).to.equal('appendfsync\neverysec');
      expect(await cli(password, 'config', 'get', 'maxmemory-policy')).to.equal('maxmemory-policy\nnoeviction');
      const aof = await readdir(path.join(dir, 'data', 'appendonlydir'));
      expect(aof.some((f) => f.endsWith('.incr.aof'))).to.equal(true);
      const auth = path.join(dir, 'run', 'auth.conf');
      expect((await stat(auth)).mode & 0o077, 'auth.conf readable by others').to.equal(0);
      expect(await readFile(path.join(dir, 'etc', 'redis.conf'), 'utf8')).not.to.include(password);
    });
  }
});
