// The yardstick for `npm run bench`: the least a Node process can do per view (node:http, one
// auto-pipelined INCR, no framework, logging or metrics). Plain JavaScript so that it runs without a
// TypeScript loader, which would inflate its memory figure. Usage: bare.mjs PORT REDIS_URL
import { createServer } from 'node:http';
import process from 'node:process';
import { Redis } from 'ioredis';

const [port, redisUrl] = process.argv.slice(2);
if (port === undefined || redisUrl === undefined) throw new Error('usage: bare.mjs PORT REDIS_URL');
const redis = new Redis(redisUrl, { enableAutoPipelining: true });

const server = createServer((req, res) => {
  redis.incr(`baseline:${req.url ?? '/'}`).then(
    (views) => {
      if (req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<h1>This page has been seen ${views} times.</h1>`);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ page: req.url, views }));
      }
    },
    () => res.writeHead(503).end(),
  );
});
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
