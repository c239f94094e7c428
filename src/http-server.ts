import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

// Bounds on what one client may cost us: slow or huge requests are cut off by Node itself.
export const SERVER_LIMITS = {
  maxHeaderSize: 16 * 1024,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  // Longer than the usual load balancer idle timeout (60 s), so the balancer closes idle
  // connections first and never sends a request down one we have just closed.
  keepAliveTimeout: 65_000,
  // Node enforces the two timeouts above only when it sweeps its connections (every 30 s by default),
  // so a client trickling its headers was cut off after up to 40 s instead of 10 s.
  connectionsCheckingInterval: 1_000,
} as const;

/** `handler` is Koa's app.callback(): it settles its own promise, answering every error itself. */
export function createHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server {
  const options = {
    maxHeaderSize: SERVER_LIMITS.maxHeaderSize,
    requestTimeout: SERVER_LIMITS.requestTimeout,
    connectionsCheckingInterval: SERVER_LIMITS.connectionsCheckingInterval,
  };
  const server = createServer(options, (req, res) => void handler(req, res));
  server.headersTimeout = SERVER_LIMITS.headersTimeout;
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeout;
  // Node hands CONNECT to this event instead of the handler and, with no listener, drops the connection
  // without an answer. This is no proxy: say so.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  return server;
}
