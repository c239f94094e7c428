// redis_exporter at the version the chart runs (redis.exporter.image.tag in values.yaml), built from its Go
// module by scripts/go-tool.sh (once, into the cache outside the tree), and started with the
// environment the chart gives its container.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { chartDir } from './chart.js';
import { repoRoot } from './helm.js';
import { exited, track, waitFor } from './processes.js';

const run = promisify(execFile);

/** The exporter image tag of the chart's values.yaml, e.g. v1.88.0: the one version both the chart and these tests use. */
export function chartExporterVersion(): string {
  const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as { redis: { exporter: { image: { tag: string } } } };
  return values.redis.exporter.image.tag;
}

async function exporterBinary(): Promise<string> {
  const version = chartExporterVersion();
  try {
    const { stdout } = await run(join(repoRoot, 'scripts', 'go-tool.sh'), ['github.com/oliver006/redis_exporter', version], {
      env: { ...process.env, CGO_ENABLED: '0' },
      timeout: 600_000,
    });
    return stdout.trim();
  } catch (error) {
    throw new Error(`building redis_exporter ${version} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`, { cause: error });
  }
}

export interface RunningExporter {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the exporter with exactly `env` (plus PATH), listening on `port`; resolves once /health answers. */
export async function startRedisExporter(env: Record<string, string>, port: number): Promise<RunningExporter> {
  const binary = await exporterBinary();
  const child = spawn(binary, [], { env: { PATH: process.env.PATH ?? '', ...env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'redis_exporter to answer /health',
    async () => {
      if (child.exitCode !== null) throw new Error(`redis_exporter exited with ${child.exitCode}: ${output}`);
      return (await fetch(`${url}/health`).catch(() => undefined))?.ok === true ? true : undefined;
    },
    10_000,
    100,
  );
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
    },
  };
}
