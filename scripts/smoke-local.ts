// `npm run test:smoke`: the smoke suite against the built service and a private redis-server,
// exactly as it later runs against a container or the kind cluster (only BASE_URL / METRICS_URL).
import { spawn } from 'node:child_process';
import { startRedis } from '../test/support/redis-server.js';
import { startService } from '../test/support/service.js';

const redis = await startRedis();
let code = 1;
try {
  const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
  try {
    const mocha = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', '--config', 'test/smoke/.mocharc.json'], {
      stdio: 'inherit',
      env: { ...process.env, BASE_URL: service.baseUrl, METRICS_URL: service.metricsUrl },
    });
    code = await new Promise<number>((resolve) => mocha.once('exit', (exitCode) => resolve(exitCode ?? 1)));
  } finally {
    const exitCode = await service.stop();
    if (exitCode !== 0) {
      console.error(`the service exited with ${exitCode} on SIGTERM; its log:\n${service.logs().join('\n')}`);
      code = code || 1;
    }
  }
} finally {
  await redis.cleanup();
}
process.exit(code);
