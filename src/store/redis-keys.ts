// Every Redis key name the service uses is built here and nowhere else. Redis Cluster needs all of a
// script's keys in one hash slot, and the ranking and the total are written by every view: so in cluster
// mode the prefix is wrapped as a hash tag, `{page-tracker:}ranking`, and every key lands in that one slot
// (VIEW-WRITE.md, "The keys, and why they share one hash slot"). Standalone and Sentinel keep the bare
// prefix, so data written before keeps its names.

export interface RedisKeys {
  /** ZSET page -> all-time views: the per-page counter and the ranking in one. */
  readonly ranking: string;
  /** STRING: views over all pages. */
  readonly total: string;
  /** ZSET page -> the UTC day (dayNumber) the page was first counted, written by the view that creates it. */
  readonly firstSeen: string;
  /** HyperLogLog of the page's visitor ids. */
  visitors(page: string): string;
  /** STRING "<views> <visitors> <page>": the first answer for this Idempotency-Key, kept for the idempotency window. */
  idempotency(key: string): string;
  /** ZSET page -> views on that UTC day (YYYY-MM-DD); deleted by Redis once the retention has passed. */
  dayRanking(day: string): string;
  /** STRING: views over all pages on that UTC day. */
  dayTotal(day: string): string;
  /** HyperLogLog of the page's visitors on that UTC day. */
  dayVisitors(day: string, page: string): string;
  /** STRING: the random salt cookieless visitor ids of that UTC day are keyed with; deleted 48 hours after it is made. */
  visitorSalt(day: string): string;
  /** ZSET a range read sums the days' rankings into and deletes in the same script: it never outlives the call. */
  readonly rangeScratch: string;
  /**
   * ZSET: the union of the completed days `from` to `to` (a ranking up to today reuses it until midnight UTC,
   * when it expires), stamped with the range generation it was built in.
   */
  rangeCache(from: string, to: string): string;
  /** STRING: bumped by every import and reset, which change past days: a cached union of another generation is rebuilt. */
  readonly rangeGeneration: string;
  /** STRING: views of the client counted in views window number `window` (VIEW-WRITE.md, abuse budget). */
  viewsBudget(client: string, window: number): string;
  /** STRING: pages the client created in new-pages window number `window`. */
  newPagesBudget(client: string, window: number): string;
}

interface RedisKeyOptions {
  /** Wrap the prefix as a hash tag (Redis Cluster). The prefix must not be empty then: `{}` is no tag to Redis. */
  hashTag?: boolean;
}

export function redisKeys(keyPrefix: string, { hashTag = false }: RedisKeyOptions = {}): RedisKeys {
  if (hashTag && keyPrefix === '') throw new Error('an empty key prefix cannot be a hash tag');
  const prefix = hashTag ? `{${keyPrefix}}` : keyPrefix;
  return {
    ranking: `${prefix}ranking`,
    total: `${prefix}total`,
    firstSeen: `${prefix}first-seen`,
    visitors: (page) => `${prefix}visitors:${page}`,
    idempotency: (key) => `${prefix}idem:${key}`,
    dayRanking: (day) => `${prefix}day:${day}:ranking`,
    dayTotal: (day) => `${prefix}day:${day}:total`,
    dayVisitors: (day, page) => `${prefix}day:${day}:visitors:${page}`,
    visitorSalt: (day) => `${prefix}salt:${day}`,
    rangeScratch: `${prefix}scratch:range-ranking`,
    rangeCache: (from, to) => `${prefix}range-cache:${from}:${to}`,
    rangeGeneration: `${prefix}range-generation`,
    viewsBudget: (client, window) => `${prefix}budget:views:${client}:${window}`,
    newPagesBudget: (client, window) => `${prefix}budget:new-pages:${client}:${window}`,
  };
}
