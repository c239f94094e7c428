// The smoke suite knows nothing of the code: only where the service answers.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { expectConforms } from '../support/openapi-check.js';

function required(name: 'BASE_URL' | 'METRICS_URL'): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: the smoke suite needs BASE_URL and METRICS_URL (e.g. BASE_URL=http://127.0.0.1:8080 METRICS_URL=http://127.0.0.1:9100 npm run smoke), or run \`npm run test:smoke\` to start a local service`);
  }
  return value.replace(/\/+$/, '');
}

export const BASE_URL = required('BASE_URL');
export const METRICS_URL = required('METRICS_URL');
/**
 * HOST_HEADER (optional): the Host header every request to BASE_URL carries instead of BASE_URL's own host, to
 * reach an ingress on 127.0.0.1 by the host name its rule serves without any DNS. (fetch cannot set Host.)
 */
export const HOST_HEADER = process.env.HOST_HEADER === '' ? undefined : process.env.HOST_HEADER;

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
}

/**
 * A request to BASE_URL + path, answered as a fetch Response and checked against src/openapi.ts. It goes out through node:http exactly as written
 * (fetch and URL parsing would normalise `..` and re-encode bad escapes) and with HOST_HEADER when set.
 */
export function send(path: string, options: SendOptions = {}): Promise<Response> {
  const base = new URL(BASE_URL);
  const prefix = base.pathname.replace(/\/$/, '');
  const headers = { ...(HOST_HEADER === undefined ? {} : { host: HOST_HEADER }), ...options.headers };
  return new Promise((resolve, reject) => {
    const request = base.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request({ protocol: base.protocol, hostname: base.hostname, port: base.port, method: options.method ?? 'GET', path: `${prefix}${path}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const answerHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) answerHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 0;
        const bytes = Buffer.concat(chunks);
        // The service sets X-Request-Id on every answer: one without it is from a proxy in front (a Go
        // proxy answers an invalid percent-escape itself), which the document does not describe.
        if (answerHeaders.has('x-request-id')) {
          try {
            expectConforms(options.method ?? 'GET', path, status, answerHeaders, bytes.toString('utf8'));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
        }
        const body = status === 204 || status === 304 || options.method === 'HEAD' ? null : bytes;
        resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: answerHeaders }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A page name no other run uses, so the suite can run against a shared deployment. */
export function uniquePage(label: string): string {
  return `smoke/${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Whether the service itself answered: it sets X-Request-Id on every answer, a proxy or ingress in front does not. */
export function fromService(response: Response): boolean {
  return response.headers.has('x-request-id');
}

/**
 * For a path only the service's own port serves (the probes, an unknown route outside the visitor paths):
 * answered by the service, or, through an ingress (HOST_HEADER set) that routes only the visitor paths, the
 * ingress's own 404, the service never asked. Returns whether the service answered, for the caller to check its body.
 */
export function serviceOrNotRouted(response: Response, path: string): boolean {
  if (fromService(response)) return true;
  if (HOST_HEADER === undefined || response.status !== 404) {
    throw new Error(`${path}: answered ${response.status} by something other than the service (no X-Request-Id)${HOST_HEADER === undefined ? ' without HOST_HEADER, so nothing should be in front' : ''}`);
  }
  return false;
}
