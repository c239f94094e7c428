// `npm run bench:days`: the per-day counts' figures alone (scripts/bench/days.ts), on a private redis-server.
import { startRedis } from '../test/support/redis-server.js';
import { benchDays } from './bench/days.js';

const redis = await startRedis();
try {
  await benchDays(redis.url);
} finally {
  await redis.cleanup();
}
