import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';

/** One request of a load run: when it started and ended (ms since the epoch) and how it ended. */
export interface LoadRecord {
  id: string;
  start: number;
  end: number;
  /** HTTP status, or undefined when the request got no answer (then `error` says why). */
  status?: number;
  error?: string;
}

export interface LoadOptions {
  baseUrl: string;
  /** Requests kept in flight at once (each worker waits for its answer before sending the next). */
  concurrency: number;
  method?: 'GET' | 'POST';
  /** Path of the n-th request. */
  path: (n: number) => string;
  /** Keep every record (fault tests) or only the status counts (soak: constant memory in the tester). */
  keepRecords?: boolean;
  /** Give up on one request after this long (a hang is a finding, not a stuck test). */
  requestTimeoutMs?: number;
  /** A new connection per request (false), as through a load balancer that spreads each one; default true. */
  keepAlive?: boolean;
}

export interface LoadRun {
  /** Stops sending and resolves once every worker's last request has ended. */
  stop(): Promise<LoadSummary>;
  /** Records so far (empty unless keepRecords). */
  records(): readonly LoadRecord[];
  /** Requests answered so far, by status ('error' for none). */
  counts(): ReadonlyMap<number | 'error', number>;
}

export interface LoadSummary {
  records: readonly LoadRecord[];
  counts: ReadonlyMap<number | 'error', number>;
  total: number;
  maxMs: number;
}

function send(agent: Agent, url: URL, method: string, id: string, timeoutMs: number): Promise<Omit<LoadRecord, 'id'>> {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { method, agent, headers: { 'X-Request-Id': id }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ start, end: Date.now(), status: res.statusCode }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ start, end: Date.now(), error: error.code ?? error.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ start, end: Date.now(), error: error.code ?? error.message }));
    req.end();
  });
}

/**
 * A closed-loop load: `concurrency` workers on keep-alive connections, each sending its next request when
 * the last one ended. Every request carries X-Request-Id `load-N`, so a test can match it to the service's log.
 * A worker whose request failed to connect pauses briefly so a refused port does not become a busy loop.
 */
export function startLoad(options: LoadOptions): LoadRun {
  const agent = new Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.concurrency });
  const records: LoadRecord[] = [];
  const counts = new Map<number | 'error', number>();
  let n = 0;
  let maxMs = 0;
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      n += 1;
      const id = `load-${n}`;
      const result = await send(agent, new URL(options.path(n), options.baseUrl), options.method ?? 'POST', id, options.requestTimeoutMs ?? 10_000);
      const key = result.status ?? 'error';
      counts.set(key, (counts.get(key) ?? 0) + 1);
      maxMs = Math.max(maxMs, result.end - result.start);
      if (options.keepRecords === true) records.push({ id, ...result });
      if (result.error !== undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  return {
    records: () => records,
    counts: () => counts,
    async stop() {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
      return { records, counts, total, maxMs };
    },
  };
}

/** Resident memory of a process now (VmRSS), in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib) / 1024;
}
