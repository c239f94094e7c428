// Lua scripts, loaded once with defineCommand and then sent as EVALSHA: one round trip per
// operation however many keys it touches, and atomic, so a page's views, the total and the
// ranking can never disagree. The ranking ZSET *is* the per-page counter. Key names come from
// redis-keys.ts.
import { VIEW_OUTCOME } from './view-store.js';

/**
 * Counts a batch of views, applied in order (VIEW-WRITE.md has the design and the order of the checks).
 *
 * KEYS: ranking zset, total, then for each view its visitors HLL, followed by its idempotency key when it
 * has one. ARGV: the batch header (max pages, idempotency window in ms), then three per view: page, visitor
 * id, and 1 when the view has an idempotency key, else 0. Returns three integers per view, in order:
 * outcome (VIEW_OUTCOME), views, visitors; a refused view has 0 and 0 and writes nothing.
 *
 * A key remembers its first answer as "<views> <visitors> <page>" (a page name has no spaces), so a
 * replay answers exactly what the first write answered, and a key sent again for another page is told
 * apart from a retry.
 */
export const RECORD_VIEWS = `
local ranking, total = KEYS[1], KEYS[2]
local max_pages, window_ms = tonumber(ARGV[1]), ARGV[2]
local HEADER_FIELDS, VIEW_FIELDS = 2, 3
local result = {}
local next_key = 3
for at = HEADER_FIELDS + 1, #ARGV, VIEW_FIELDS do
  local page, visitor, keyed = ARGV[at], ARGV[at + 1], ARGV[at + 2] == '1'
  local visitors_key, idempotency_key = KEYS[next_key], nil
  next_key = next_key + 1
  if keyed then
    idempotency_key = KEYS[next_key]
    next_key = next_key + 1
  end
  local outcome, views, visitors = ${VIEW_OUTCOME.counted}, 0, 0
  local first = idempotency_key and redis.call('GET', idempotency_key)
  if first then
    local first_views, first_visitors, first_page = string.match(first, '^(%d+) (%d+) (.*)$')
    if first_page == page then
      outcome, views, visitors = ${VIEW_OUTCOME.duplicate}, tonumber(first_views), tonumber(first_visitors)
    else
      outcome = ${VIEW_OUTCOME.keyReused}
    end
  elseif redis.call('ZSCORE', ranking, page) == false and redis.call('ZCARD', ranking) >= max_pages then
    outcome = ${VIEW_OUTCOME.pageLimit}
  else
    views = tonumber(redis.call('ZINCRBY', ranking, 1, page))
    redis.call('INCR', total)
    redis.call('PFADD', visitors_key, visitor)
    visitors = redis.call('PFCOUNT', visitors_key)
    if idempotency_key then
      redis.call('SET', idempotency_key, string.format('%d %d %s', views, visitors, page), 'PX', window_ms)
    end
  end
  result[#result + 1] = outcome
  result[#result + 1] = views
  result[#result + 1] = visitors
end
return result
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
