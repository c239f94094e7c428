import { createServer, type Server } from 'node:http';
import { handleAdmin, type AdminOptions } from './admin.js';
import type { Metrics } from './metrics.js';

/**
 * The admin port: /metrics, and the admin API under /admin/ when it is given (admin.ts), so visitors' traffic
 * and scrapes never share a listener, and no route a visitor can reach leads to the admin API.
 */
export function createMetricsServer(metrics: Metrics, admin?: AdminOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (admin !== undefined && handleAdmin(req, res, path, admin)) return;
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: 'only /metrics and /admin/ are served here' }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'method_not_allowed', message: 'GET /metrics' }));
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics collection failed: ${String(error)}\n`),
    );
  });
}
