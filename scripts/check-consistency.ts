// `npm run check:consistency`: checks the counts' invariants in a Redis (src/consistency.ts; docs/data.md) and
// exits 1 on any finding. Reads REDIS_URL (or the first argument), REDIS_KEY_PREFIX and VIEW_RETENTION_DAYS as
// the service does; with a password in the URL, or REDIS_PASSWORD, as any ioredis client.
import { loadConfig } from '../src/config.js';
import { checkConsistency } from '../src/consistency.js';

const config = loadConfig({ ...process.env, ...(process.argv[2] === undefined ? {} : { REDIS_URL: process.argv[2] }) });
if (config.redisUrl === undefined) {
  console.error('check:consistency: give the Redis URL as REDIS_URL or as the first argument, e.g. npm run check:consistency -- redis://127.0.0.1:6379');
  process.exit(2);
}
const url = new URL(config.redisUrl);
if (config.redisPassword !== undefined) url.password = config.redisPassword;
if (config.redisUsername !== undefined) url.username = config.redisUsername;
const report = await checkConsistency({ url: url.toString(), keyPrefix: config.redisKeyPrefix, retentionDays: config.viewRetentionDays });
for (const finding of report.findings) console.log(`FINDING ${finding}`);
console.log(
  `${report.pages} pages (${report.exactPages} first seen within the retention, their days checked to add up to their total), total ${report.total}, ` +
    `${report.daysWithViews} days with views: ${report.findings.length === 0 ? 'consistent' : `${report.findings.length} finding(s)`}`,
);
process.exit(report.findings.length === 0 ? 0 : 1);
