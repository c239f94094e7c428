// Debian's nginx in front of the service, as an ingress would be: what the service believes about the client.
import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { startNginx, type Nginx } from '../support/nginx.js';
import { waitFor } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startService, type RunningService } from '../support/service.js';
import { requestLogLines, untilReady } from '../support/service-checks.js';

// The client connects from another loopback address than nginx (127.0.0.1), so the two can be told apart.
const CLIENT_ADDRESS = '127.0.0.5';
const FORGED = { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'forged.example' };

interface Seen {
  /** The client address in the service's log line for this request. */
  ip: string;
  /** Whether the visitor cookie came back Secure, i.e. whether the service took the connection for HTTPS. */
  secureCookie: boolean;
}

let requestNumber = 0;

/** POSTs a view from CLIENT_ADDRESS and reads back how the service saw the request. */
async function send(url: string, service: RunningService, ca: Buffer | undefined, headers: Record<string, string> = {}): Promise<Seen> {
  requestNumber += 1;
  const id = `proxy-test-${requestNumber}`;
  const target = new URL('/api/views/proxied', url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const setCookie = await new Promise<string>((resolve, reject) => {
    const req = request(target, { method: 'POST', localAddress: CLIENT_ADDRESS, ca, headers: { ...headers, 'X-Request-Id': id } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(String(res.headers['set-cookie'] ?? '')) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
  const line = await waitFor(`the service's log line for ${id}`, () => Promise.resolve(requestLogLines(service).get(id)), 5000);
  return { ip: line.ip, secureCookie: /;\s*Secure/i.test(setCookie) };
}

describe('behind a real reverse proxy (nginx)', function () {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.cleanup();
  });

  for (const trustProxy of [true, false]) {
    describe(`TRUST_PROXY=${trustProxy}`, function () {
      let service: RunningService;
      let nginx: Nginx;
      before(async () => {
        service = await startService({ env: { REDIS_URL: redis.url, TRUST_PROXY: String(trustProxy), LOG_LEVEL: 'info' } });
        await untilReady(service);
        nginx = await startNginx(Number(new URL(service.baseUrl).port));
      });
      after(async () => {
        await nginx?.stop();
        await service?.stop();
      });

      if (trustProxy) {
        it('sees the client address and HTTPS from X-Forwarded-* set by nginx', async () => {
          expect(await send(nginx.httpsUrl, service, nginx.ca)).to.deep.equal({ ip: CLIENT_ADDRESS, secureCookie: true });
          expect(await send(nginx.httpUrl, service, undefined)).to.deep.equal({ ip: CLIENT_ADDRESS, secureCookie: false });
        });

        it('is not fooled by X-Forwarded-* a client sends through nginx (nginx replaces them)', async () => {
          expect(await send(nginx.httpUrl, service, undefined, FORGED)).to.deep.equal({ ip: CLIENT_ADDRESS, secureCookie: false });
        });
      } else {
        it('ignores X-Forwarded-* forged by a client talking to it directly', async () => {
          expect(await send(service.baseUrl, service, undefined, FORGED)).to.deep.equal({ ip: CLIENT_ADDRESS, secureCookie: false });
        });

        it('behind nginx sees only nginx: its address, and plain HTTP even when nginx says https', async () => {
          expect(await send(nginx.httpsUrl, service, nginx.ca)).to.deep.equal({ ip: '127.0.0.1', secureCookie: false });
        });
      }
    });
  }
});
