// What an oversized header or body costs under a flood: a bounded read, never the whole thing buffered. The
// answers themselves (431, 413, JSON or a page, the connection closed) are pinned in test/unit/http-limits.test.ts.
import { expect } from 'chai';
import { connect } from 'node:net';
import { rssMiB } from '../support/load.js';
import { figure } from './figures.js';
import { crashSigns, useServiceOnRedis } from '../support/service-checks.js';

const OFFERED_BYTES = 256 * 2 ** 20;
// Whatever the client manages to write before the server closes ends up in socket buffers, not the app;
// loopback buffers hold a few MiB at most. Reading 256 MiB would blow far past this.
const MAX_ACCEPTED_BYTES = 32 * 2 ** 20;

interface Flood {
  firstLine: string;
  sentBytes: number;
  error?: string;
}

/**
 * Sends `head`, waits `pauseMs` (a client that waits for an early answer, as with Expect: 100-continue),
 * then streams filler until OFFERED_BYTES or until the server closes the connection.
 */
function flood(port: number, head: string, pauseMs = 0): Promise<Flood> {
  return new Promise((resolve) => {
    let received = '';
    let sent = 0;
    let error: string | undefined;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      const pump = (): void => {
        while (socket.writable && sent < OFFERED_BYTES) {
          sent += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        if (sent >= OFFERED_BYTES) socket.end();
      };
      setTimeout(pump, pauseMs);
    });
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ firstLine: /HTTP\/1\.1 [2-5]\d\d [^\r]*/.exec(received)?.[0] ?? '', sentBytes: sent, ...(error === undefined ? {} : { error }) }));
  });
}

describe('oversized requests', function () {
  const stack = useServiceOnRedis();

  it('an endless header or an oversized or chunked body is refused after a bounded read', async () => {
    const { service } = stack;
    const port = Number(new URL(service.baseUrl).port);
    const rssBefore = await rssMiB(service.pid);
    const overLimit = 'a'.repeat(32 * 1024);
    // Clients that pause after the part that is too big get the answer, and the server reads nothing more.
    const header = await flood(port, `GET /api/views/big HTTP/1.1\r\nHost: x\r\nX-Big: ${overLimit}`, 1000);
    const body = await flood(port, `POST /api/views/big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${OFFERED_BYTES}\r\n\r\n`, 1000);
    const chunked = await flood(port, 'POST /api/views/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 1000);
    // Clients that stream on regardless: the server answers and closes; such a client may see a reset before
    // it reads the answer (Node does no lingering close), but either way only socket buffers' worth is taken.
    const streamedHeader = await flood(port, 'GET /api/views/big HTTP/1.1\r\nHost: x\r\nX-Big: ');
    const streamedBody = await flood(port, `POST /api/views/big HTTP/1.1\r\nHost: x\r\nContent-Length: ${OFFERED_BYTES}\r\n\r\n`);
    const rssAfter = await rssMiB(service.pid);
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    const outcome = (f: Flood): string => `${f.firstLine === '' ? `no answer (${f.error ?? 'closed'})` : f.firstLine} after ${mib(f.sentBytes)} more`;
    figure(
      'oversized',
      `32 KiB header: ${outcome(header)}; 256 MiB body announced: ${outcome(body)}; chunked body: ${outcome(chunked)}; endless header streamed: ${outcome(streamedHeader)}; 256 MiB body streamed: ${outcome(streamedBody)}; service RSS ${rssBefore.toFixed(1)} -> ${rssAfter.toFixed(1)} MiB`,
    );

    for (const [what, result, answer] of [
      ['header', header, '431'],
      ['body', body, '413'],
      ['chunked body', chunked, '413'],
      ['streamed header', streamedHeader, '431'],
      ['streamed body', streamedBody, '413'],
    ] as const) {
      const refused = result.firstLine.startsWith(`HTTP/1.1 ${answer} `) || result.error === 'ECONNRESET' || result.error === 'EPIPE';
      expect(refused, `${what}: ${outcome(result)}`).to.equal(true);
      expect(result.sentBytes, `${what}: bytes the client could write before the server closed`).to.be.below(MAX_ACCEPTED_BYTES);
    }
    expect(crashSigns(service)).to.deep.equal([]);
  });
});
