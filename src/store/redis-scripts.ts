// Lua scripts, loaded once with defineCommand and then sent as EVALSHA: one round trip per
// operation however many keys it touches, and atomic, so a page's views, the total and the
// ranking can never disagree. The ranking ZSET *is* the per-page counter.

/** KEYS: ranking zset, total, page visitors HLL. ARGV: page, visitor id, max pages. Returns -1 when the cap refuses a new page. */
export const RECORD_VIEW = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return -1
end
local views = redis.call('ZINCRBY', KEYS[1], 1, ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('PFADD', KEYS[3], ARGV[2])
return { tonumber(views), redis.call('PFCOUNT', KEYS[3]) }
`;

/** KEYS: ranking zset, page visitors HLL. ARGV: page. */
export const PAGE_STATS = `
return { tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) or 0, redis.call('PFCOUNT', KEYS[2]) }
`;

/** KEYS: ranking zset, total. ARGV: limit. Returns { total, { page, score, page, score, ... } }. */
export const TOP_PAGES = `
local ranked = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
return { tonumber(redis.call('GET', KEYS[2])) or 0, ranked }
`;
