// What `npm run bench` and `npm run bench:scale` share: starting the targets, driving one with load.mjs in
// its own process, and reading CPU and memory from /proc (the server's, the generator's and redis-server's).
import type autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../../test/support/find-on-path.js';
import { freePort } from '../../test/support/ports.js';
import { exited, track, waitFor } from '../../test/support/processes.js';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const LOAD_SCRIPT = here('load.mjs');

/** The Flask tracker's gunicorn workers: four, as a small deployment of it would run on this many cores. */
export const FLASK_WORKERS = 4;

export type Method = 'GET' | 'POST';

export interface Figures {
  /** Answered with a 2xx: each one a view counted. */
  views: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  rssMiB: number;
  cpuMicrosPerRequest: number;
  generatorMicrosPerRequest: number;
  redisMicrosPerView: number;
}

/** /proc/PID/stat's fields after the command name, so that field n of proc(5) is at index n - 3. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
}

/** CPU time (user + system, every thread) the process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The process and its descendants (gunicorn's master and workers), as they are now. */
function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter((child) => child !== '').map(Number),
  );
  return [pid, ...children.flatMap(processTree)];
}

/** CPU seconds of the process and its descendants: the servers are measured this way, one process or several. */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, each) => sum + cpuSeconds(each), 0);
}

/** Peak resident memory (VmHWM) of the process and its descendants so far, in MiB. */
export function peakRssMiB(pid: number): number {
  return processTree(pid).reduce((sum, each) => {
    const status = readFileSync(`/proc/${each}/status`, 'utf8');
    return sum + Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
  }, 0);
}

export interface LoadOptions {
  url: string;
  method: Method;
  seconds: number;
  connections: number;
  headers?: Record<string, string>;
  /** Spread the requests over this many pages, `${pagePrefix}0` to `${pagePrefix}${pages - 1}`. */
  pages?: number;
  pagePrefix?: string;
}

export interface Load {
  result: autocannon.Result;
  generatorCpuSeconds: number;
}

export async function load(options: LoadOptions): Promise<Load> {
  const child = spawn(process.execPath, [LOAD_SCRIPT, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  if (code !== 0) throw new Error(`the load generator exited with code ${code}`);
  return { result: JSON.parse(out) as autocannon.Result, generatorCpuSeconds };
}

/** A warm-up of 2 s (JIT, connections, Redis script cache), then `options.seconds` measured. */
export async function measure(serverPid: number, redisPid: number, options: LoadOptions): Promise<Figures> {
  await load({ ...options, seconds: 2 });
  const cpuBefore = treeCpuSeconds(serverPid);
  const redisBefore = cpuSeconds(redisPid);
  const { result, generatorCpuSeconds } = await load(options);
  return figuresOf(result, treeCpuSeconds(serverPid) - cpuBefore, generatorCpuSeconds, cpuSeconds(redisPid) - redisBefore, peakRssMiB(serverPid));
}

export function figuresOf(result: autocannon.Result, serverCpu: number, generatorCpu: number, redisCpu: number, rssMiB: number): Figures {
  const views = result['2xx'];
  return {
    views,
    cpuMicrosPerRequest: (serverCpu * 1e6) / result.requests.total,
    generatorMicrosPerRequest: (generatorCpu * 1e6) / result.requests.total,
    redisMicrosPerView: (redisCpu * 1e6) / views,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rssMiB,
  };
}

const middle = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[half] as number) : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
};

/** Each figure's median over several rounds (errors and non-2xx summed): one round the machine's other jobs slowed moves it least. */
export function medianOf(rounds: readonly Figures[]): Figures {
  if (rounds.length === 0) throw new Error('no rounds to take the median of');
  const of = (field: keyof Figures): number => middle(rounds.map((figures) => figures[field]));
  const sum = (field: 'errors' | 'non2xx'): number => rounds.reduce((total, figures) => total + figures[field], 0);
  return {
    views: of('views'),
    rps: of('rps'),
    p50: of('p50'),
    p99: of('p99'),
    errors: sum('errors'),
    non2xx: sum('non2xx'),
    rssMiB: of('rssMiB'),
    cpuMicrosPerRequest: of('cpuMicrosPerRequest'),
    generatorMicrosPerRequest: of('generatorMicrosPerRequest'),
    redisMicrosPerView: of('redisMicrosPerView'),
  };
}

/** redis-server's CPU while nothing is sent to it, in ms per second: its own timers and the AOF's once-a-second fsync. */
export async function idleCpuMsPerSecond(pid: number, seconds = 2): Promise<number> {
  const before = cpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return ((cpuSeconds(pid) - before) * 1000) / seconds;
}

export interface Target {
  readonly baseUrl: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function listening(what: string, child: ChildProcess, port: number): Promise<Target> {
  track(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const exitedEarly = exited(child).then((code) => {
    throw new Error(`${what} exited with code ${code} before it listened`);
  });
  await Promise.race([waitFor(what, async () => ((await fetch(`${baseUrl}/`)).ok ? true : undefined), 15_000, 100), exitedEarly]);
  exitedEarly.catch(() => undefined);
  return {
    baseUrl,
    pid: child.pid ?? -1,
    async stop() {
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await done;
    },
  };
}

/** One of the Node baselines next to this file (bare.mjs, koa-minimal.mjs), on a free port. */
export async function startNodeBaseline(script: 'bare.mjs' | 'koa-minimal.mjs', redisUrl: string): Promise<Target> {
  const port = await freePort();
  return listening(script, spawn(process.execPath, [here(script), String(port), redisUrl], { stdio: ['ignore', 'ignore', 'inherit'] }), port);
}

// The Debian packages the Flask tracker needs, by the Python module each provides (scripts/install-system-deps.sh
// installs the same ones; test/repo/bench.test.ts keeps the two lists equal).
export const FLASK_MODULES = { flask: 'python3-flask', redis: 'python3-redis' } as const;
export const GUNICORN_PACKAGE = 'gunicorn';

/**
 * Throws, naming exactly the Debian packages to install, unless gunicorn is on PATH and its Python can
 * import Flask and redis-py. The modules are checked with the interpreter gunicorn's own first line names
 * (Debian's is /usr/bin/python3, which need not be the python3 PATH finds first).
 */
export function checkFlaskTracker(): string {
  let gunicorn: string | undefined;
  try {
    gunicorn = findOnPath('gunicorn', GUNICORN_PACKAGE);
  } catch {
    gunicorn = undefined;
  }
  const python = gunicorn === undefined ? '/usr/bin/python3' : (/^#!\s*(\S+)/.exec(readFileSync(gunicorn, 'utf8'))?.[1] ?? '/usr/bin/python3');
  const missing: string[] = gunicorn === undefined ? [GUNICORN_PACKAGE] : [];
  for (const [module, debianPackage] of Object.entries(FLASK_MODULES)) {
    try {
      // find_spec finds the module without running it: Flask's import alone takes seconds on a busy machine.
      execFileSync(python, ['-c', `import importlib.util, sys; sys.exit(importlib.util.find_spec('${module}') is None)`], { stdio: 'ignore' });
    } catch {
      missing.push(debianPackage);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `the Flask tracker (scripts/bench/flask_tracker.py, run by gunicorn with ${python}) cannot start: ` +
        `apt-get install -y ${missing.join(' ')} (scripts/install-system-deps.sh installs them)`,
    );
  }
  return gunicorn as string;
}

/** The Flask tracker under gunicorn with FLASK_WORKERS sync workers, on a free port. */
export async function startFlaskTracker(redisUrl: string): Promise<Target> {
  const gunicorn = checkFlaskTracker();
  const port = await freePort();
  // flask_tracker.py is next to this file; its workers log only warnings and errors.
  const args = ['--workers', String(FLASK_WORKERS), '--log-level', 'warning', '--bind', `127.0.0.1:${port}`, '--chdir', here('.'), 'flask_tracker:app'];
  const child = spawn(gunicorn, args, {
    // PYTHONDONTWRITEBYTECODE: no __pycache__ left in the repository's scripts/bench.
    env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return listening('the Flask tracker (gunicorn)', child, port);
}
