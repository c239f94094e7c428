// `npm run bench`: the service against the bare baseline, same redis-server, same run, side by side.
// Prints figures; asserts nothing (speed targets are reported, never tested with timers).
// Options: --duration SECONDS (default 10), --connections N (default 64).
// autocannon runs as its own child process, not inside this one: its CPU is then measured apart from
// the servers' (the generator column), and the TypeScript loader of this script stays out of its way.
import type autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/ports.js';
import { exited, track, waitFor } from '../test/support/processes.js';
import { startRedis } from '../test/support/redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService } from '../test/support/service.js';
import { VisitorIds } from '../src/visitor.js';

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
  generatorMicrosPerRequest: number;
}

const AUTOCANNON_CLI = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
// A visitor who has been here before: the service verifies the id's signature and sets no cookie.
const VISITOR_SECRET = 'bench-visitor-secret-0123456789abcdef';
const RETURNING_VISITOR = `Cookie: pt_visitor=${new VisitorIds(VISITOR_SECRET).cookieValue('0f8fad5b-d9cb-469f-a165-70867728950e')}`;

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

interface Load {
  result: autocannon.Result;
  generatorCpuSeconds: number;
}

async function load(url: string, method: 'GET' | 'POST', seconds: number, headers: string[]): Promise<Load> {
  const args = [AUTOCANNON_CLI, '--json', '--connections', String(connections), '--duration', String(seconds), '--method', method];
  for (const header of headers) args.push('--headers', header);
  const child = spawn(process.execPath, [...args, url], { stdio: ['ignore', 'pipe', 'ignore'] });
  track(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // Read the generator's CPU just before it exits: /proc/PID/stat is gone once it has been reaped. The figure
  // includes autocannon's start-up (about 0.2 s of CPU, under 1 µs per request over a 10 s run).
  let generatorCpuSeconds = 0;
  const sampler = setInterval(() => {
    try {
      generatorCpuSeconds = cpuSeconds(child.pid ?? -1);
    } catch {
      // already exited; the last sample stands
    }
  }, 100);
  const code = await exited(child);
  clearInterval(sampler);
  if (code !== 0) throw new Error(`autocannon exited with code ${code}`);
  return { result: JSON.parse(out) as autocannon.Result, generatorCpuSeconds };
}

async function measure(pid: number, url: string, method: 'GET' | 'POST', headers: string[] = []): Promise<Figures> {
  await load(url, method, 2, headers); // warm-up: JIT, connections, Redis script cache
  const cpuBefore = cpuSeconds(pid);
  const { result, generatorCpuSeconds } = await load(url, method, duration, headers);
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  return {
    cpuMicrosPerRequest: (cpuUsed * 1e6) / result.requests.total,
    generatorMicrosPerRequest: (generatorCpuSeconds * 1e6) / result.requests.total,
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
  const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'info', NODE_ENV: 'production', VISITOR_SECRET, ...ONE_CLIENT_LOAD_ENV }, stdout: 'ignore' });
  const baseline = await startBaseline(redis.url);
  try {
    console.log(`autocannon (own process): ${connections} connections, ${duration} s per run after a 2 s warm-up; redis-server pid ${redis.pid}`);
    console.log('service = new visitor every request (no cookie: Set-Cookie, UUID, HyperLogLog grows), the worst case;');
    console.log('service, returning = every request carries a visitor cookie. CPU µs/req: the server process; generator: autocannon.\n');
    const header = 'endpoint                 | target             |    req/s | p50 ms | p99 ms | peak RSS MiB | CPU µs/req | generator µs/req | errors/non-2xx';
    rows.push(header, '-'.repeat(header.length));
    for (const [label, path, method] of [
      ['POST /api/views/{page}', '/api/views/bench', 'POST'],
      ['GET /', '/', 'GET'],
    ] as const) {
      const bare = await measure(baseline.process.pid ?? -1, `${baseline.baseUrl}${path}`, method);
      const ours = await measure(service.pid, `${service.baseUrl}${path}`, method);
      const returning = await measure(service.pid, `${service.baseUrl}${path}`, method, [RETURNING_VISITOR]);
      for (const [target, figures] of [['bare', bare], ['service', ours], ['service, returning', returning]] as const) {
        rows.push(
          `${label.padEnd(24)} | ${target.padEnd(18)} | ${figures.rps.toFixed(0).padStart(8)} | ${String(figures.p50).padStart(6)} | ${String(figures.p99).padStart(6)} | ${figures.rssMiB.toFixed(1).padStart(12)} | ${figures.cpuMicrosPerRequest.toFixed(0).padStart(10)} | ${figures.generatorMicrosPerRequest.toFixed(0).padStart(16)} | ${figures.errors}/${figures.non2xx}`,
        );
      }
      for (const [target, figures] of [['new visitors', ours], ['returning', returning]] as const) {
        rows.push(`${label.padEnd(24)} | ratio service/bare, ${target}: req/s ${(figures.rps / bare.rps).toFixed(2)}, CPU per request ${(bare.cpuMicrosPerRequest / figures.cpuMicrosPerRequest).toFixed(2)}`);
      }
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
