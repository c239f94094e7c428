// `npm run test:smoke`: the smoke suite against the built service and a private redis-server, exactly as it
// later runs against a container or the kind cluster (only BASE_URL / METRICS_URL / HOST_HEADER). It runs
// twice: straight at the service, then through test/support/strict-proxy (a Go reverse proxy that, like
// Traefik, refuses invalid percent-escapes itself and routes only its Ingress-like host name), so the suite
// is known to hold behind the e2e's ingress too. Go must be on PATH for the second run.
import { spawn } from 'node:child_process';
import { startRedis } from '../test/support/redis-server.js';
import { startService } from '../test/support/service.js';
import { startStrictProxy } from '../test/support/strict-proxy.js';

// A reserved name (.test never resolves): every request must carry it as its Host header.
const proxiedHost = 'page-tracker.smoke.test';

function runSmoke(label: string, env: Record<string, string>): Promise<number> {
  console.log(`\nsmoke suite ${label}`);
  const mocha = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', '--config', 'test/smoke/.mocharc.json'], {
    stdio: 'inherit',
    env: { ...process.env, HOST_HEADER: '', ...env },
  });
  return new Promise<number>((resolve) => mocha.once('exit', (exitCode) => resolve(exitCode ?? 1)));
}

const redis = await startRedis();
let code = 1;
try {
  const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
  try {
    code = await runSmoke(`straight at the service (${service.baseUrl})`, { BASE_URL: service.baseUrl, METRICS_URL: service.metricsUrl });
    const proxy = await startStrictProxy(service.baseUrl, proxiedHost);
    try {
      const proxied = await runSmoke(`through the strict Go proxy (${proxy.url}, Host: ${proxiedHost})`, {
        BASE_URL: proxy.url,
        METRICS_URL: service.metricsUrl,
        HOST_HEADER: proxiedHost,
      });
      code = code || proxied;
    } finally {
      await proxy.stop();
    }
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
