// `npm run bench:failover`: what a failover costs clients and what REDIS_MIN_REPLICAS_ACK costs per view,
// with Debian's redis-server and redis-sentinel on this machine. Prints figures; asserts nothing (the same
// failover runs are asserted in test/resilience/redis-failover.test.ts).
//   failover: the primary holding the counts SIGKILLed under load (8 clients), through Sentinel and through a
//             Redis Cluster, with and without the replica acknowledgement: the promotion, the outage seen by
//             clients, views answered 200 that the new primary lacks.
//   cost:     steady load without a kill, per setup and REDIS_MIN_REPLICAS_ACK: views/s and latency at
//             --connections (batches share one WAIT) and at one connection (every view waits for its own).
// Options: --only failover|cost, --kind sentinel|cluster (both by default), --duration SECONDS (cost runs, default 5),
// --connections N (default 16).
import { parseArgs } from 'node:util';
import { describeFailover, failoverUnderLoad, startHaStack, type HaKind, type HaStack } from '../test/support/failover-run.js';
import { startRedis } from '../test/support/redis-server.js';
import { untilReady } from '../test/support/service-checks.js';
import { ONE_CLIENT_LOAD_ENV, startService } from '../test/support/service.js';
import { load } from './bench/measure.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    kind: { type: 'string' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
  },
});
const seconds = Number(values.duration);
const connections = Number(values.connections);
if (!(seconds > 0) || !Number.isInteger(connections) || connections < 1) {
  throw new Error(`--duration must be a positive number of seconds and --connections a positive integer (got ${values.duration}, ${values.connections})`);
}
if (values.only !== undefined && values.only !== 'failover' && values.only !== 'cost') throw new Error(`--only must be failover or cost, not ${values.only}`);
if (values.kind !== undefined && values.kind !== 'sentinel' && values.kind !== 'cluster') throw new Error(`--kind must be sentinel or cluster, not ${values.kind}`);
const kinds: HaKind[] = values.kind === undefined ? ['sentinel', 'cluster'] : [values.kind];

async function failovers(): Promise<void> {
  console.log('failover: the primary holding the counts SIGKILLed after 2 s of load from 8 clients; load kept on 4 s past the promotion');
  for (const kind of kinds) {
    for (const ack of [0, 1]) {
      const stack = await startHaStack(kind, { REDIS_MIN_REPLICAS_ACK: String(ack) });
      try {
        const outcome = await failoverUnderLoad(stack);
        console.log(`  ${kind}, REDIS_MIN_REPLICAS_ACK=${ack}: ${describeFailover(outcome)}`);
      } finally {
        await stack.stop();
      }
    }
  }
}

interface Steady {
  rps: number;
  p99: number;
  non2xx: number;
  viewsPerBatch: number;
  /** Mean time of the script call (one batch) and of the WAIT after it, in ms, as the service saw them. */
  batchMs: number;
  ackMs: number;
}

interface CallTimes {
  /** RECORD_VIEWS calls (batches) and the seconds they took, as the service measured them. */
  batches: number;
  batchSeconds: number;
  /** WAIT calls and their seconds. */
  acks: number;
  ackSeconds: number;
}

/** The service's own timing of its Redis calls (page_tracker_redis_command_duration_seconds), summed so far. */
async function callTimes(metricsUrl: string): Promise<CallTimes> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const read = (command: string, part: 'sum' | 'count'): number =>
    Number(new RegExp(`^page_tracker_redis_command_duration_seconds_${part}\\{[^}]*command="${command}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { batches: read('record_views', 'count'), batchSeconds: read('record_views', 'sum'), acks: read('replicas_ack', 'count'), ackSeconds: read('replicas_ack', 'sum') };
}

async function steady(baseUrl: string, metricsUrl: string, clients: number): Promise<Steady> {
  const options = { url: `${baseUrl}/api/views/cost`, method: 'POST' as const, connections: clients, pages: 100, pagePrefix: '/api/views/cost-' };
  await load({ ...options, seconds: 2 });
  const before = await callTimes(metricsUrl);
  const { result } = await load({ ...options, seconds });
  const after = await callTimes(metricsUrl);
  const batches = after.batches - before.batches;
  const acks = after.acks - before.acks;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    viewsPerBatch: result['2xx'] / batches,
    batchMs: ((after.batchSeconds - before.batchSeconds) * 1000) / batches,
    ackMs: acks === 0 ? 0 : ((after.ackSeconds - before.ackSeconds) * 1000) / acks,
  };
}

// autocannon records whole milliseconds, so a sub-millisecond view's latency reads 0: at one connection (a closed
// loop, one view in flight) the time a view takes is 1 / views per second instead.
// The WAIT's share per view is its time over the views of the batch it acknowledged.
const show = ({ rps, p99, non2xx, viewsPerBatch, batchMs, ackMs }: Steady, clients: number): string =>
  `${Math.round(rps)} views/s${clients === 1 ? ` (${Math.round(1e6 / rps)} µs a view)` : ''}, p99 ${p99} ms${non2xx > 0 ? `, ${non2xx} not 200` : ''}; ` +
  `${viewsPerBatch.toFixed(1)} views a batch, script ${batchMs.toFixed(2)} ms` +
  (ackMs > 0 ? `, WAIT ${ackMs.toFixed(2)} ms a batch (${((ackMs * 1000) / viewsPerBatch).toFixed(0)} µs a view)` : '');

async function costs(): Promise<void> {
  console.log(`cost: ${seconds} s of steady load after 2 s of warm-up, over 100 pages, every view a new visitor`);
  {
    const redis = await startRedis();
    const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...ONE_CLIENT_LOAD_ENV }, stdout: 'ignore' });
    try {
      await untilReady(service);
      console.log(`  standalone (one redis-server, no replica), ack 0: ${connections} connections ${show(await steady(service.baseUrl, service.metricsUrl, connections), connections)}; 1 connection ${show(await steady(service.baseUrl, service.metricsUrl, 1), 1)}`);
    } finally {
      await service.stop('SIGKILL');
      await redis.cleanup();
    }
  }
  for (const kind of kinds) {
    for (const ack of [0, 1, 2]) {
      let stack: HaStack | undefined;
      try {
        stack = await startHaStack(kind, { REDIS_MIN_REPLICAS_ACK: String(ack) });
        await untilReady(stack.service, 15_000);
        console.log(`  ${kind}, ack ${ack}: ${connections} connections ${show(await steady(stack.service.baseUrl, stack.service.metricsUrl, connections), connections)}; 1 connection ${show(await steady(stack.service.baseUrl, stack.service.metricsUrl, 1), 1)}`);
      } finally {
        await stack?.stop();
      }
    }
  }
}

if (values.only !== 'cost') await failovers();
if (values.only !== 'failover') await costs();
