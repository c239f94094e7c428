import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { findOnPath } from '../support/find-on-path.js';
import { checkedFetch } from '../support/openapi-check.js';
import { freePort } from '../support/ports.js';
import { exited, track, waitFor } from '../support/processes.js';
import { builtServer, coverageEnv } from '../support/built-server.js';
import { startService } from '../support/service.js';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
// What a pretty line starts with: `[ISO time] LEVEL: `.
const PRETTY_LINE = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): /;

/**
 * Runs the built service with the given env (free ports unless it sets PORT/METRICS_PORT). `terminal` runs
 * it under script(1), so that its stdout is a pseudo-terminal as in an interactive shell.
 */
async function spawnServer(env: Record<string, string>, options: { terminal?: boolean } = {}): Promise<{ child: ChildProcess; output: () => string }> {
  const fullEnv = { ...coverageEnv(), PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(await freePort()), METRICS_PORT: String(await freePort()), ...env };
  const serverJs = builtServer();
  const child = options.terminal === true
    ? spawn(findOnPath('script', 'bsdutils'), ['--quiet', '--return', '--command', `${process.execPath} ${serverJs}`, '/dev/null'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [serverJs], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Runs the built service expecting it to refuse to start; resolves its exit code and output. */
async function runToExit(env: Record<string, string>, options: { terminal?: boolean } = {}): Promise<{ code: number | null; output: string }> {
  const { child, output } = await spawnServer(env, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  const code = await exited(child);
  clearTimeout(timer);
  return { code, output: output() };
}

function jsonLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

function holdPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const holder = createServer();
    holder.once('error', reject).listen(port, '127.0.0.1', () => resolve(holder));
  });
}

describe('start-up', () => {
  it('refuses NODE_ENV=production without REDIS_URL, naming the variable', async () => {
    const { code, output } = await runToExit({ NODE_ENV: 'production' });
    expect(code).to.equal(1);
    expect(output).to.include('REDIS_URL').and.to.include('"level":"fatal"');
  });

  it('refuses a bad value, naming the variable', async () => {
    const { code, output } = await runToExit({ MAX_PAGES: 'lots' });
    expect(code).to.equal(1);
    expect(output).to.include('MAX_PAGES');
  });

  for (const variable of ['REDIS_PASSWORD_FILE', 'VISITOR_SECRET_FILE']) {
    it(`refuses a ${variable} that names no readable file, naming the variable and the path, before anything listens`, async () => {
      const missing = '/nonexistent/page-tracker/secret';
      const { code, output } = await runToExit({ [variable]: missing, REDIS_URL: 'redis://127.0.0.1:1' });
      expect(code).to.equal(1);
      const fatal = jsonLines(output).at(-1);
      expect(fatal).to.deep.include({ level: 'fatal', variable });
      expect(String(fatal?.msg)).to.include(`${variable}: cannot read the file "${missing}" (ENOENT)`);
      expect(output).not.to.include('listening');
    });
  }

  it('writes every line as JSON with an ISO time when stdout is not a terminal, the fatal refusal included', async () => {
    const refused = await runToExit({ MAX_PAGES: 'lots' });
    const lines = jsonLines(refused.output);
    expect(lines.at(-1)).to.deep.include({ level: 'fatal', variable: 'MAX_PAGES' });
    const service = await startService();
    await checkedFetch(`${service.baseUrl}/healthz`);
    expect(await service.stop()).to.equal(0);
    lines.push(...jsonLines(service.logs().join('\n')));
    expect(lines.filter((line) => typeof line.time !== 'string' || !ISO_TIME.test(line.time)), 'lines without an ISO time').to.deep.equal([]);
  });

  it('logs for people on a terminal: `[ISO time] LEVEL: message` (script(1) gives it a pseudo-terminal)', async () => {
    const { code, output } = await runToExit({ MAX_PAGES: 'lots' }, { terminal: true });
    expect(code).to.equal(1);
    // eslint-disable-next-line no-control-regex -- the colour codes a terminal gets
    const plain = output.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');
    expect(plain).to.match(/^\[[^\]]+\] FATAL: invalid configuration: MAX_PAGES: /m);
    expect(plain.split('\n').filter((line) => line !== '').every((line) => PRETTY_LINE.test(line)), plain).to.equal(true);
  });

  it('LOG_FORMAT=pretty logs for people even into a pipe', async () => {
    const service = await startService({ env: { LOG_FORMAT: 'pretty' } });
    expect(await service.stop()).to.equal(0);
    const lines = service.logs().filter((line) => line !== '');
    expect(lines.filter((line) => !PRETTY_LINE.test(line)), 'lines not in the pretty format').to.deep.equal([]);
    expect(lines.some((line) => line.includes(`INFO: page-tracker listening on ${service.baseUrl}/`))).to.equal(true);
  });

  it('with PORT=0 and METRICS_PORT=0, the start-up line names the URLs actually bound', async () => {
    const { child, output } = await spawnServer({ PORT: '0', METRICS_PORT: '0' });
    try {
      const line = await waitFor('the start-up line', () => Promise.resolve(jsonLines(output()).find((entry) => String(entry.msg).startsWith('page-tracker listening on '))), 5000);
      expect(line.port).to.be.a('number').above(0);
      expect(line.url).to.equal(`http://127.0.0.1:${String(line.port)}/`);
      expect(line.msg).to.equal(`page-tracker listening on ${String(line.url)} (metrics on ${String(line.metricsUrl)})`);
      expect((await fetch(`${String(line.url)}healthz`)).status).to.equal(200);
      expect((await fetch(String(line.metricsUrl))).status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  for (const variable of ['PORT', 'METRICS_PORT'] as const) {
    it(`a ${variable} already in use is refused naming ${variable} (EADDRINUSE)`, async () => {
      const port = await freePort();
      const holder = await holdPort(port);
      try {
        const { code, output } = await runToExit({ [variable]: String(port) });
        expect(code).to.equal(1);
        expect(jsonLines(output).at(-1)).to.deep.include({
          level: 'fatal',
          variable,
          msg: `invalid configuration: ${variable}: port ${port} on 127.0.0.1 is already in use (EADDRINUSE): stop what holds it or choose another port`,
        });
      } finally {
        holder.close();
      }
    });
  }

  it('refuses PORT equal to METRICS_PORT before binding either', async () => {
    const port = String(await freePort());
    const { code, output } = await runToExit({ PORT: port, METRICS_PORT: port });
    expect(code).to.equal(1);
    const lines = jsonLines(output);
    expect(lines.map((line) => line.msg)).to.deep.equal([`invalid configuration: METRICS_PORT: must differ from PORT (both are ${port}): /metrics is served on its own port`]);
    expect(lines[0]).to.deep.include({ level: 'fatal', variable: 'METRICS_PORT' });
  });

  it('never logs the Redis password, from the URL or from REDIS_PASSWORD', async () => {
    const service = await startService({ env: { REDIS_URL: `redis://:url-secret-1@127.0.0.1:${await freePort()}`, REDIS_PASSWORD: 'env-secret-2', LOG_LEVEL: 'debug' } });
    try {
      await checkedFetch(`${service.baseUrl}/api/views/a`, { method: 'POST' });
      await checkedFetch(`${service.baseUrl}/readyz`);
    } finally {
      expect(await service.stop()).to.equal(0);
    }
    const logs = service.logs().join('\n');
    expect(logs).to.include('using the Redis store');
    expect(logs).to.not.include('url-secret-1');
    expect(logs).to.not.include('env-secret-2');
  });

  it('without REDIS_URL runs on the in-memory store and warns loudly that counts are not kept', async () => {
    const service = await startService();
    try {
      const response = await checkedFetch(`${service.baseUrl}/api/views/a`, { method: 'POST' });
      expect(await response.json()).to.deep.include({ views: 1 });
      expect((await checkedFetch(`${service.baseUrl}/readyz`)).status).to.equal(200);
    } finally {
      expect(await service.stop()).to.equal(0);
    }
    const warning = service.logs().find((line) => line.includes('"level":"warn"') && line.includes('REDIS_URL is not set'));
    expect(warning, service.logs().join('\n')).to.not.equal(undefined);
  });
});
