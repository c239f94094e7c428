// Clients that trickle their headers or never finish their body are cut off by the server's timeouts,
// while normal requests keep being answered.
import { expect } from 'chai';
import { connect } from 'node:net';
import { startLoad } from '../support/load.js';
import { figure, maxOf, minOf } from './figures.js';
import { crashSigns, useServiceOnRedis } from '../support/service-checks.js';

// The documented limits (docs/development.md, Limits): 10 s to send the headers, 30 s for a whole request; Node checks them every second.
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SLACK_MS = 3000;
const SLOW_CLIENTS = 20;

interface CutOff {
  afterMs: number;
  lastAnswer: string;
}

/** Opens a connection, sends `opening`, then one more byte every `dripMs`; resolves when the server closes it. */
function slowClient(port: number, opening: string, drip: string, dripMs: number, giveUpMs: number): Promise<CutOff> {
  return new Promise((resolve) => {
    const started = Date.now();
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(opening);
      let i = 0;
      timer = setInterval(() => {
        if (drip !== '' && socket.writable) socket.write(drip[i++ % drip.length] ?? '');
      }, dripMs);
    });
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      // The last answer on the connection is the one that cut it off (the POST is answered first, without
      // reading its body, and the 408 follows that answer's JSON directly).
      const statusLines = [...received.matchAll(/HTTP\/1\.1 \d{3} [^\r]*/g)].map((match) => match[0]);
      resolve({ afterMs: Date.now() - started, lastAnswer: statusLines.at(-1) ?? '(closed without an answer)' });
    });
  });
}

describe('slow clients', function () {
  this.timeout(REQUEST_TIMEOUT_MS + 30_000);
  const stack = useServiceOnRedis();

  it('cuts off headers sent a byte at a time and bodies never finished, and keeps serving everyone else', async () => {
    const { service } = stack;
    const port = Number(new URL(service.baseUrl).port);
    const load = startLoad({ baseUrl: service.baseUrl, concurrency: 2, path: (n) => `/api/views/normal-${n % 3}`, keepRecords: true });
    const trickling = Array.from({ length: SLOW_CLIENTS }, () =>
      slowClient(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'abcdefgh', 250, REQUEST_TIMEOUT_MS + 20_000),
    );
    // 1000 bytes announced, 10 sent, the rest never: POST /api/views answers without reading the body.
    const unfinished = Array.from({ length: SLOW_CLIENTS }, () =>
      slowClient(port, 'POST /api/views/unfinished HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789', '', 1000, REQUEST_TIMEOUT_MS + 20_000),
    );
    const headersCut = await Promise.all(trickling);
    const bodiesCut = await Promise.all(unfinished);
    const { records, counts, maxMs } = await load.stop();

    const span = (cuts: CutOff[]): string => `${(Math.min(...cuts.map((c) => c.afterMs)) / 1000).toFixed(1)}-${(Math.max(...cuts.map((c) => c.afterMs)) / 1000).toFixed(1)} s`;
    figure('slow clients', `${SLOW_CLIENTS} trickling headers cut off after ${span(headersCut)} (${[...new Set(headersCut.map((c) => c.lastAnswer))].join(', ')}); ${SLOW_CLIENTS} unfinished bodies cut off after ${span(bodiesCut)} (${[...new Set(bodiesCut.map((c) => c.lastAnswer))].join(', ')})`);
    figure('normal requests meanwhile', `${records.length}, by status ${JSON.stringify(Object.fromEntries(counts))}, slowest ${maxMs} ms`);

    for (const cut of headersCut) {
      expect(cut.lastAnswer).to.equal('HTTP/1.1 408 Request Timeout');
      expect(cut.afterMs, 'ms until a trickling client was cut off').to.be.below(HEADERS_TIMEOUT_MS + SLACK_MS);
    }
    for (const cut of bodiesCut) {
      expect(cut.lastAnswer).to.equal('HTTP/1.1 408 Request Timeout');
      expect(cut.afterMs, 'ms until an unfinished body was cut off').to.be.below(REQUEST_TIMEOUT_MS + SLACK_MS);
    }
    expect([...counts.keys()], 'statuses of normal requests').to.deep.equal([200]);
    // Served throughout, not only before or after: answers in every 5 s slice of the run.
    const first = minOf(records.map((r) => r.end));
    const slices = new Set(records.map((r) => Math.floor((r.end - first) / 5000)));
    const wanted = Math.floor((maxOf(records.map((r) => r.end)) - first) / 5000);
    expect(slices.size, '5 s slices with answers').to.equal(wanted + 1);
    expect(crashSigns(service)).to.deep.equal([]);
  });
});
