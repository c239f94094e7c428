// `npm run bench`: the service side by side with three other page counters on the same redis-server, in
// one run: the bare baseline (node:http + one INCR), the minimal Koa app (Koa + @koa/router + one INCR: the
// ceiling for the service's fixed stack) and the tutorial's Flask tracker (the peer a user would otherwise
// run). Prints figures, the ratios between them and the aim, met or not; asserts nothing (speed targets are
// reported, never tested with timers). Options: --duration SECONDS (default 10), --connections N (default 64),
// --rounds N (default 3): every target is measured once per round, the rounds interleaved, and each figure
// printed is the median of its rounds, so that a burst of the machine's other work moves one round, not a ratio.
// The scale figures (many pages, two service processes, Redis memory) are `npm run bench:scale`.
import { parseArgs } from 'node:util';
import { startRedis } from '../test/support/redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService } from '../test/support/service.js';
import { VisitorIds } from '../src/visitor.js';
import {
  FLASK_WORKERS,
  checkFlaskTracker,
  idleCpuMsPerSecond,
  measure,
  medianOf,
  startFlaskTracker,
  startNodeBaseline,
  type Figures,
  type Method,
  type Target,
} from './bench/measure.js';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '64' }, rounds: { type: 'string', default: '3' } },
});
const seconds = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
if (!(seconds > 0) || !Number.isInteger(connections) || connections < 1 || !Number.isInteger(rounds) || rounds < 1) {
  throw new Error(
    `--duration must be a positive number of seconds, --connections and --rounds positive integers (got ${values.duration}, ${values.connections}, ${values.rounds})`,
  );
}

// The aim for the counting endpoints, against the two comparison apps measured in the same run.
const AIM = { ofMinimalKoa: 0.8, ofFlask: 4 } as const;
// p99 in ms of the service before group commit (docs/performance.md: the upper end of two runs, 64 connections,
// load average 1.7). A figure from another run, so its verdict is indicative; the same-run p99 ratios are printed too.
const P99_BEFORE_GROUP_COMMIT_MS = { POST: 11, GET: 9 } as const satisfies Record<Method, number>;

// A visitor who has been here before: the service verifies the id's signature and sets no cookie.
const VISITOR_SECRET = 'bench-visitor-secret-0123456789abcdef';
const RETURNING_VISITOR = { Cookie: `pt_visitor=${new VisitorIds(VISITOR_SECRET).cookieValue('0f8fad5b-d9cb-469f-a165-70867728950e')}` };

// GET / first, so that the Flask tracker's figures are there for the POST endpoint's ratios too.
const ENDPOINTS = [
  { label: 'GET /', path: '/', method: 'GET' },
  { label: 'POST /api/views/{page}', path: '/api/views/bench', method: 'POST' },
] as const;

const fixed = (value: number, digits = 0): string => value.toFixed(digits);
const pad = (text: string, width: number): string => (text.length >= width ? text : text.padStart(width));

const HEADER =
  'endpoint                 | target             |    req/s | p50 ms | p99 ms | peak RSS MiB | CPU µs/req | generator µs/req | Redis µs/view | errors/non-2xx';

function row(endpoint: string, target: string, figures: Figures): string {
  return [
    endpoint.padEnd(24),
    target.padEnd(18),
    pad(fixed(figures.rps), 8),
    pad(String(figures.p50), 6),
    pad(String(figures.p99), 6),
    pad(fixed(figures.rssMiB, 1), 12),
    pad(fixed(figures.cpuMicrosPerRequest), 10),
    pad(fixed(figures.generatorMicrosPerRequest), 16),
    pad(fixed(figures.redisMicrosPerView, 1), 13),
    `${figures.errors}/${figures.non2xx}`,
  ].join(' | ');
}

/** How the service compares with another target: > 1 is better for the service in every figure. */
function ratios(service: Figures, other: Figures): { rps: number; cpu: number } {
  return { rps: service.rps / other.rps, cpu: other.cpuMicrosPerRequest / service.cpuMicrosPerRequest };
}

const FLASK = `Flask (${FLASK_WORKERS} workers)`;

const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

// Before anything starts: a missing package fails the bench at once with what to install, not a stack trace.
try {
  checkFlaskTracker();
} catch (error) {
  console.error(`npm run bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const redis = await startRedis();
const targets: Target[] = [];
try {
  const bare = await startNodeBaseline('bare.mjs', redis.url);
  targets.push(bare);
  const koa = await startNodeBaseline('koa-minimal.mjs', redis.url);
  targets.push(koa);
  const flask = await startFlaskTracker(redis.url);
  targets.push(flask);
  const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'info', NODE_ENV: 'production', VISITOR_SECRET, ...ONE_CLIENT_LOAD_ENV }, stdout: 'ignore' });
  targets.push({ baseUrl: service.baseUrl, pid: service.pid, stop: async () => void (await service.stop()) });

  console.log(`load generator: autocannon in its own process, ${connections} connections, ${seconds} s per run after a 2 s warm-up;`);
  console.log(`${rounds} rounds, each target once per round, figures the median of the rounds; redis-server pid ${redis.pid},`);
  console.log(`idle ${fixed(await idleCpuMsPerSecond(redis.pid), 1)} ms CPU per second (in every Redis µs/view figure, most where views per second are few).`);
  console.log('bare: node:http + one auto-pipelined INCR. Koa: minimal Koa + @koa/router + one auto-pipelined INCR (the ceiling for our stack).');
  console.log(`Flask: the tutorial's Flask tracker (redis-py INCR) under gunicorn, ${FLASK_WORKERS} sync workers; it counts views at GET / only,`);
  console.log('so both service endpoints are compared with its GET /.');
  console.log('service: a new visitor every request (no cookie: Set-Cookie, UUID, HyperLogLog grows), the worst case;');
  console.log('service, returning: every request carries a visitor cookie.');
  console.log('CPU µs/req: the server (gunicorn: master and workers together); generator: autocannon; Redis µs/view: redis-server CPU over the run / views.\n');

  const aims: string[] = [
    `Aim: the service at ${AIM.ofMinimalKoa} x the minimal Koa app or better and at least ${AIM.ofFlask} x the Flask tracker, in req/s and in CPU per`,
    'request (ratios: service req/s / theirs, their CPU µs / the service\'s: above 1 is better for the service);',
    `p99 no worse than before group commit (${P99_BEFORE_GROUP_COMMIT_MS.POST} ms POST, ${P99_BEFORE_GROUP_COMMIT_MS.GET} ms GET /: another run, indicative).`,
  ];
  let flaskGet: Figures | undefined;
  for (const { label, path, method } of ENDPOINTS) {
    const options = { method, seconds, connections } as const;
    const runs: Array<{ target: string; pid: number; url: string; headers?: Record<string, string>; rounds: Figures[] }> = [
      { target: 'bare', pid: bare.pid, url: `${bare.baseUrl}${path}`, rounds: [] },
      { target: 'Koa', pid: koa.pid, url: `${koa.baseUrl}${path}`, rounds: [] },
      ...(method === 'GET' ? [{ target: FLASK, pid: flask.pid, url: `${flask.baseUrl}/`, rounds: [] }] : []),
      { target: 'service', pid: service.pid, url: `${service.baseUrl}${path}`, rounds: [] },
      { target: 'service, returning', pid: service.pid, url: `${service.baseUrl}${path}`, headers: RETURNING_VISITOR, rounds: [] },
    ];
    for (let round = 0; round < rounds; round += 1) {
      for (const run of runs) run.rounds.push(await measure(run.pid, redis.pid, { ...options, url: run.url, headers: run.headers }));
    }
    const rows = runs.map(({ target, rounds: measured }): [string, Figures] => [target, medianOf(measured)]);
    const figuresFor = (target: string): Figures => rows.find(([name]) => name === target)?.[1] as Figures;
    const bareFigures = figuresFor('bare');
    const koaFigures = figuresFor('Koa');
    const ours = figuresFor('service');
    const returning = figuresFor('service, returning');
    if (method === 'GET') flaskGet = figuresFor(FLASK);

    console.log([HEADER, '-'.repeat(HEADER.length), ...rows.map(([target, figures]) => row(label, target, figures))].join('\n'));
    for (const [who, figures] of [['service', ours], ['service, returning', returning]] as const) {
      const toBare = ratios(figures, bareFigures);
      const toKoa = ratios(figures, koaFigures);
      const toFlask = flaskGet === undefined ? undefined : ratios(figures, flaskGet);
      console.log(
        `  ${who.padEnd(18)} / bare: req/s ${fixed(toBare.rps, 2)}, CPU ${fixed(toBare.cpu, 2)} | / Koa: req/s ${fixed(toKoa.rps, 2)}, CPU ${fixed(toKoa.cpu, 2)}, ` +
          `p99 ${fixed(figures.p99 / koaFigures.p99, 2)} x Koa's` +
          (toFlask === undefined || flaskGet === undefined ? '' : ` | / Flask: req/s ${fixed(toFlask.rps, 2)}, CPU ${fixed(toFlask.cpu, 2)}, p99 ${fixed(figures.p99 / flaskGet.p99, 2)} x Flask's`),
      );
      aims.push(
        `  ${label} ${who}: req/s ${fixed(toKoa.rps, 2)} x Koa ${verdict(toKoa.rps >= AIM.ofMinimalKoa)}, CPU ${fixed(toKoa.cpu, 2)} x Koa ${verdict(toKoa.cpu >= AIM.ofMinimalKoa)}; ` +
          (toFlask === undefined ? '' : `req/s ${fixed(toFlask.rps, 1)} x Flask ${verdict(toFlask.rps >= AIM.ofFlask)}, CPU ${fixed(toFlask.cpu, 1)} x Flask ${verdict(toFlask.cpu >= AIM.ofFlask)}; `) +
          `p99 ${figures.p99} ms ${verdict(figures.p99 <= P99_BEFORE_GROUP_COMMIT_MS[method])}`,
      );
    }
    console.log('');
  }
  console.log(aims.join('\n'));
} finally {
  for (const target of targets.reverse()) await target.stop();
  await redis.cleanup();
}
