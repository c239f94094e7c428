// The counts' invariants (npm run check:consistency) hold after Redis is SIGKILLed under concurrent load over
// many pages and restarted from its AOF: each view is one script, so a kill keeps all of its writes or none.
import { expect } from 'chai';
import { checkConsistencyRun } from '../support/check-consistency.js';
import { startLoad } from '../support/load.js';
import { startRedis } from '../support/redis-server.js';
import { ONE_CLIENT_LOAD_ENV, startService } from '../support/service.js';
import { untilReady } from '../support/service-checks.js';
import { figure, sleep } from './figures.js';

describe('consistency of the counts across a Redis SIGKILL under load', function () {
  this.timeout(120_000);

  it('appendfsync always: after the restart the check finds nothing, and counting goes on consistent', async () => {
    const redis = await startRedis({ appendfsync: 'always' });
    const service = await startService({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...ONE_CLIENT_LOAD_ENV } });
    try {
      await untilReady(service);
      const load = startLoad({ baseUrl: service.baseUrl, concurrency: 8, path: (n) => `/api/views/p${n % 50}`, keepRecords: true });
      await sleep(2000);
      await redis.kill();
      await sleep(500);
      await redis.start();
      await untilReady(service);
      await sleep(1500);
      const { records } = await load.stop();
      const afterKill = await checkConsistencyRun(redis.url);
      figure('consistency after kill', `${records.filter((r) => r.status === 200).length} views answered 200 through a kill; ${afterKill.stdout.trim()}`);
      expect(records.filter((r) => r.status === 200).length).to.be.above(0);
      expect(afterKill.code, afterKill.stdout + afterKill.stderr).to.equal(0);
      // Every page was created under this load, today: each is proved exactly, its days adding up to its total.
      expect(afterKill.stdout).to.match(/^50 pages \(50 first seen within the retention, .*: consistent$/m);
    } finally {
      await service.stop('SIGKILL');
      await redis.cleanup();
    }
  });
});
