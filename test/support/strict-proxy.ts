// The strict Go reverse proxy of test/support/strict-proxy (see its main.go), built with the machine's Go into
// .tools/strict-proxy/ (ignored by git) and started in front of a service.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { goBinary } from './go.js';
import { repoRoot } from './helm.js';
import { exited, track, waitFor } from './processes.js';

const run = promisify(execFile);
const sourceDir = join(repoRoot, 'test', 'support', 'strict-proxy');
const binary = join(repoRoot, '.tools', 'strict-proxy', 'strict-proxy');

export interface StrictProxy {
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

/** go build (a no-op when nothing changed: Go's build cache), then the proxy on a free port. */
export async function startStrictProxy(targetUrl: string, host: string): Promise<StrictProxy> {
  const go = goBinary();
  try {
    await run(go, ['build', '-o', binary, '.'], { cwd: sourceDir, env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' } });
  } catch (error) {
    throw new Error(`go build of ${sourceDir} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`, { cause: error });
  }
  const child = spawn(binary, ['-target', targetUrl, '-host', host], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const address = await waitFor(
    'the strict proxy to listen',
    () => {
      if (child.exitCode !== null) throw new Error(`strict-proxy exited with ${child.exitCode}: ${output}`);
      return Promise.resolve(/listening on (127\.0\.0\.1:\d+)/.exec(output)?.[1]);
    },
    10_000,
  );
  return {
    url: `http://${address}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
    },
  };
}
