// The invariants of the counts (docs/data.md, "Consistency check"), checked against a Redis: what
// `npm run check:consistency` runs, and what the resilience test runs after killing Redis under load.
import { Redis } from 'ioredis';
import { dayOfNumber, daysFrom } from './days.js';
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
  /** Pages first seen within the retention: their days must add up to exactly their views. */
  exactPages: number;
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
 * day's pages; no day counts a page the all-time ranking lacks, nor does the first-seen record; a page first
 * seen within the retention has all its views on the retained days, so they add up to exactly its all-time
 * views; any other page's (first seen earlier, or before first-seen days were recorded) never exceed them.
 */
export async function checkConsistency(options: ConsistencyOptions): Promise<ConsistencyReport> {
  const keys = redisKeys(options.keyPrefix, { hashTag: options.hashTag ?? false });
  const kept = retainedDays(options.now ?? Date.now(), options.retentionDays);
  const days = daysFrom(kept.from, kept.to);
  const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 1, disableClientInfo: true });
  try {
    await redis.connect();
    const keyList = [keys.ranking, keys.total, keys.firstSeen, ...days.flatMap((day) => [keys.dayRanking(day), keys.dayTotal(day)])];
    const [total, rankingFlat, dayRankings, dayTotals, firstSeenFlat] = (await redis.eval(CONSISTENCY_READ, keyList.length, ...keyList)) as [number, string[], string[][], number[], string[]];
    const ranking = scores(rankingFlat);
    const firstSeen = scores(firstSeenFlat);
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
      if (!ranking.has(page)) findings.push(`page ${page}: ${views} views on retained days but none all-time`);
    }
    for (const page of firstSeen.keys()) {
      if (!ranking.has(page)) findings.push(`page ${page}: a first-seen day but no views all-time`);
    }
    let exactPages = 0;
    for (const [page, allTime] of ranking) {
      const views = inDays.get(page) ?? 0;
      const first = firstSeen.get(page);
      const firstDay = first === undefined ? undefined : dayOfNumber(first);
      if (firstDay !== undefined && firstDay >= kept.from) {
        exactPages += 1;
        if (views !== allTime) findings.push(`page ${page}: first seen ${firstDay}, within the retention, but its days add up to ${views}, not its all-time views (${allTime})`);
      } else if (views > allTime) {
        findings.push(`page ${page}: its days add up to ${views}, more than its all-time views (${allTime})`);
      }
    }
    return { pages: ranking.size, total, daysWithViews, exactPages, findings };
  } finally {
    redis.disconnect();
  }
}
