import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { freePort } from '../support/ports.js';
import { exited, track } from '../support/processes.js';
import { SERVER_JS, startService } from '../support/service.js';

/** Runs the built service expecting it to refuse to start; resolves its exit code and stdout. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [SERVER_JS], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(await freePort()), METRICS_PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  const code = await exited(child);
  clearTimeout(timer);
  return { code, output };
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

  it('never logs the Redis password, from the URL or from REDIS_PASSWORD', async () => {
    const service = await startService({ env: { REDIS_URL: `redis://:url-secret-1@127.0.0.1:${await freePort()}`, REDIS_PASSWORD: 'env-secret-2', LOG_LEVEL: 'debug' } });
    try {
      await fetch(`${service.baseUrl}/api/views/a`, { method: 'POST' });
      await fetch(`${service.baseUrl}/readyz`);
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
      const response = await fetch(`${service.baseUrl}/api/views/a`, { method: 'POST' });
      expect(await response.json()).to.deep.include({ views: 1 });
      expect((await fetch(`${service.baseUrl}/readyz`)).status).to.equal(200);
    } finally {
      expect(await service.stop()).to.equal(0);
    }
    const warning = service.logs().find((line) => line.includes('"level":"warn"') && line.includes('REDIS_URL is not set'));
    expect(warning, service.logs().join('\n')).to.not.equal(undefined);
  });
});
