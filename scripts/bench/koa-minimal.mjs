// The ceiling for the service's fixed stack in `npm run bench`: Koa + @koa/router with one auto-pipelined
// ioredis INCR per view and nothing else (no script, visitor cookie, request id, histogram or log line).
// What the service costs above this is what the service itself does. Plain JavaScript, like bare.mjs, so
// that no TypeScript loader inflates its figures. Usage: koa-minimal.mjs PORT REDIS_URL
import { Router } from '@koa/router';
import Koa from 'koa';
import process from 'node:process';
import { Redis } from 'ioredis';

const [port, redisUrl] = process.argv.slice(2);
if (port === undefined || redisUrl === undefined) throw new Error('usage: koa-minimal.mjs PORT REDIS_URL');
const redis = new Redis(redisUrl, { enableAutoPipelining: true });

const router = new Router();
router.get('/', async (ctx) => {
  const views = await redis.incr('koa-minimal:/');
  ctx.type = 'html';
  ctx.body = `<h1>This page has been seen ${views} times.</h1>`;
});
router.post('/api/views/:page', async (ctx) => {
  const views = await redis.incr(`koa-minimal:${ctx.params.page}`);
  ctx.body = { page: ctx.params.page, views };
});

const app = new Koa();
app.use(router.routes()).use(router.allowedMethods());
const server = app.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
