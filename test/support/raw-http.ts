import { connect } from 'node:net';

export interface RawAnswer {
  /** Status code of the first answer, or undefined when the connection ended without one. */
  status?: number;
  statusLine: string;
  error?: string;
}

/**
 * Sends bytes exactly as given (no client-side checks, so malformed requests reach the server) and
 * resolves the first status line the server answers, then drops the connection.
 */
export function rawExchange(port: number, request: Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let received = '';
    let settled = false;
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const finish = (answer: RawAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ statusLine: received.split('\r\n')[0] ?? '', error: `no status line within ${timeoutMs} ms` }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      // Interim answers (100 Continue to an Expect header) come before the real one: skip them.
      while (/^HTTP\/1\.[01] 1\d\d /.test(received) && received.includes('\r\n\r\n')) received = received.slice(received.indexOf('\r\n\r\n') + 4);
      const end = received.indexOf('\r\n');
      if (end === -1 || /^HTTP\/1\.[01] 1\d\d /.test(received)) return;
      const statusLine = received.slice(0, end);
      const code = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      finish(code === undefined ? { statusLine, error: 'not an HTTP status line' } : { statusLine, status: Number(code) });
    });
    // The server may close after answering while we are still writing (EPIPE/ECONNRESET): the answer counts.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      finish({ statusLine: received, error: error.code ?? error.message });
    });
    socket.on('close', () => finish({ statusLine: received.split('\r\n')[0] ?? '', error: 'closed without an answer' }));
  });
}
