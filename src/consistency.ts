// The invariants of the counts (docs/data.md, "Consistency check"), checked against a Redis: what
// `npm run check:consistency` runs, and what the resilience test runs after killing Redis under load.
import { Redis } from 'ioredis';
import { daysFrom } from './days.js';
import { retainedDays } from './store/portable.js';
import { redisKeys } from './store/redis-keys.js';
import { CONSISTENCY_READ } from './store/redis-scripts.js';

interface ConsistencyOptions {
  url: string;
  keyPrefix: string;
  retentionDays: number;
  /** Wrap the prefix as a hash tag, as a cluster's keys are (REDIS_CLUSTER_NODES). */
  hashTag?: boolean;
  now?: number;
}

interface ConsistencyReport {
  pages: number;
  total: number;
  daysWithViews: number;
  /** One line per broken invariant; empty when the counts agree. */
  findings: string[];
}

/** ZREVRANGE ... WITHSCORES as a map. */
function scores(flat: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i]!, Number(flat[i + 1]));
  return map;
}

/**
 * Checks, as of one instant: the all-time total is the sum over pages; each day's total is the sum over that
 * day's pages; a page's views over the retained days never exceed its all-time views, and no day counts a page
 * the all-time ranking lacks. Whether a page's days add up to exactly its total depends on whether its first
 * view is within the retention, which the store does not record, so that equality is not checked.
 */
export async function checkConsistency(options: ConsistencyOptions): Promise<ConsistencyReport> {
  const keys = redisKeys(options.keyPrefix, { hashTag: options.hashTag ?? false });
  const kept = retainedDays(options.now ?? Date.now(), options.retentionDays);
  const days = daysFrom(kept.from, kept.to);
  const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 1, disableClientInfo: true });
  try {
    await redis.connect();
    const keyList = [keys.ranking, keys.total, ...days.flatMap((day) => [keys.dayRanking(day), keys.dayTotal(day)])];
    const [total, rankingFlat, dayRankings, dayTotals] = (await redis.eval(CONSISTENCY_READ, keyList.length, ...keyList)) as [number, string[], string[][], number[]];
    const ranking = scores(rankingFlat);
    const findings: string[] = [];
    const sum = [...ranking.values()].reduce((a, b) => a + b, 0);
    if (sum !== total) findings.push(`the total (${total}) is not the sum over pages (${sum})`);
    const inDays = new Map<string, number>();
    let daysWithViews = 0;
    days.forEach((day, i) => {
      const dayRanking = scores(dayRankings[i] ?? []);
      const daySum = [...dayRanking.values()].reduce((a, b) => a + b, 0);
      const dayTotal = dayTotals[i] ?? 0;
      if (daySum > 0 || dayTotal !== 0) daysWithViews += 1;
      if (daySum !== dayTotal) findings.push(`${day}: the day's total (${dayTotal}) is not the sum over its pages (${daySum})`);
      for (const [page, views] of dayRanking) inDays.set(page, (inDays.get(page) ?? 0) + views);
    });
    for (const [page, views] of inDays) {
      const allTime = ranking.get(page);
      if (allTime === undefined) findings.push(`page ${page}: ${views} views on retained days but none all-time`);
      else if (views > allTime) findings.push(`page ${page}: its days add up to ${views}, more than its all-time views (${allTime})`);
    }
    return { pages: ranking.size, total, daysWithViews, findings };
  } finally {
    redis.disconnect();
  }
}
