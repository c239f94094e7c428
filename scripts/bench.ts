// `npm run bench`: the service against the bare baseline, same redis-server, same run, side by side.
// Prints figures; asserts nothing (speed targets are reported, never tested with timers).
// Options: --duration SECONDS (default 10), --connections N (default 64).
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/ports.js';
import { exited, track, waitFor } from '../test/support/processes.js';
import { startRedis } from '../test/support/redis-server.js';
import { startService } from '../test/support/service.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '64' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  rssMiB: number;
  cpuMicrosPerRequest: number;
}

/** CPU time (user + system) the process has used so far, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident memory of the process so far (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

async function load(url: string, method: 'GET' | 'POST', seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, method, connections, duration: seconds });
}

async function measure(pid: number, url: string, method: 'GET' | 'POST'): Promise<Figures> {
  await load(url, method, 2); // warm-up: JIT, connections, Redis script cache
  const cpuBefore = cpuSeconds(pid);
  const result = await load(url, method, duration);
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  return {
    cpuMicrosPerRequest: (cpuUsed * 1e6) / result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rssMiB: peakRssMiB(pid),
  };
}

async function startBaseline(redisUrl: string): Promise<{ baseUrl: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/bench-baseline.mjs', String(port), redisUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  track(child);
  await waitFor('the baseline to listen', async () => ((await fetch(`http://127.0.0.1:${port}/`)).ok ? true : undefined), 10_000, 100);
  return { baseUrl: `http://127.0.0.1:${port}`, process: child };
}

const redis = await startRedis();
const rows: string[] = [];
try {
  const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'info', NODE_ENV: 'production' }, stdout: 'ignore' });
  const baseline = await startBaseline(redis.url);
  try {
    console.log(`autocannon: ${connections} connections, ${duration} s per run after a 2 s warm-up; redis-server pid ${redis.pid}\n`);
    const header = 'endpoint                 | target   |    req/s | p50 ms | p99 ms | peak RSS MiB | CPU µs/req | errors/non-2xx';
    rows.push(header, '-'.repeat(header.length));
    for (const [label, path, method] of [
      ['POST /api/views/{page}', '/api/views/bench', 'POST'],
      ['GET /', '/', 'GET'],
    ] as const) {
      const bare = await measure(baseline.process.pid ?? -1, `${baseline.baseUrl}${path}`, method);
      const ours = await measure(service.pid, `${service.baseUrl}${path}`, method);
      for (const [target, figures] of [['bare', bare], ['service', ours]] as const) {
        rows.push(
          `${label.padEnd(24)} | ${target.padEnd(8)} | ${figures.rps.toFixed(0).padStart(8)} | ${String(figures.p50).padStart(6)} | ${String(figures.p99).padStart(6)} | ${figures.rssMiB.toFixed(1).padStart(12)} | ${figures.cpuMicrosPerRequest.toFixed(0).padStart(10)} | ${figures.errors}/${figures.non2xx}`,
        );
      }
      rows.push(`${label.padEnd(24)} | ratio service/bare: req/s ${(ours.rps / bare.rps).toFixed(2)}, CPU per request ${(bare.cpuMicrosPerRequest / ours.cpuMicrosPerRequest).toFixed(2)}`);
      console.log(rows.splice(0).join('\n'));
    }
  } finally {
    baseline.process.kill('SIGTERM');
    await exited(baseline.process);
    await service.stop();
  }
} finally {
  await redis.cleanup();
}
