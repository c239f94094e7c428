// Lua scripts, loaded once with defineCommand and then sent as EVALSHA: one round trip per
// operation however many keys it touches, and atomic, so a page's views, the total and the
// ranking can never disagree. The ranking ZSET *is* the per-page counter. Key names come from
// redis-keys.ts.
import { VIEW_OUTCOME } from './view-store.js';

/**
 * Counts a batch of views, applied in order (VIEW-WRITE.md has the design and the order of the checks).
 *
 * KEYS: ranking zset, total, then for each view its visitors HLL, followed by its idempotency key when it
 * has one, followed by its client's two budget counters (views, new pages) when it is budgeted.
 * ARGV: the batch header (max pages, idempotency window in ms, views per client per window, ms left in that
 * window, new pages per client per window, ms left in that window; a limit of 0 is no limit), then five per
 * view: page, visitor id, 1 when the view has an idempotency key, 1 when it is budgeted, 1 when it may create
 * its page (else 0 each). Returns three integers per view, in order: outcome (VIEW_OUTCOME), views, visitors;
 * a refused view has 0 and 0 and writes nothing, not even to a budget.
 *
 * A key remembers its first answer as "<views> <visitors> <page>" (a page name has no spaces), so a
 * replay answers exactly what the first write answered, and a key sent again for another page is told
 * apart from a retry.
 */
export const RECORD_VIEWS = `
local ranking, total = KEYS[1], KEYS[2]
local max_pages, window_ms = tonumber(ARGV[1]), ARGV[2]
local views_limit, views_left_ms = tonumber(ARGV[3]), ARGV[4]
local new_pages_limit, new_pages_left_ms = tonumber(ARGV[5]), ARGV[6]
local HEADER_FIELDS, VIEW_FIELDS = 6, 5
-- A budget counter is created by the first view it counts and lives until its window ends.
local function spend(budget, limit, left_ms)
  if limit > 0 and redis.call('INCR', budget) == 1 then redis.call('PEXPIRE', budget, left_ms) end
end
local function spent(budget, limit)
  return limit > 0 and (tonumber(redis.call('GET', budget)) or 0) >= limit
end
local result = {}
local next_key = 3
for at = HEADER_FIELDS + 1, #ARGV, VIEW_FIELDS do
  local page, visitor, keyed = ARGV[at], ARGV[at + 1], ARGV[at + 2] == '1'
  local budgeted, may_create = ARGV[at + 3] == '1', ARGV[at + 4] == '1'
  local visitors_key, idempotency_key, views_budget, new_pages_budget = KEYS[next_key], nil, nil, nil
  next_key = next_key + 1
  if keyed then
    idempotency_key = KEYS[next_key]
    next_key = next_key + 1
  end
  if budgeted then
    views_budget, new_pages_budget = KEYS[next_key], KEYS[next_key + 1]
    next_key = next_key + 2
  end
  local outcome, views, visitors = ${VIEW_OUTCOME.counted}, 0, 0
  local first = idempotency_key and redis.call('GET', idempotency_key)
  local is_new = not first and redis.call('ZSCORE', ranking, page) == false
  if first then
    local first_views, first_visitors, first_page = string.match(first, '^(%d+) (%d+) (.*)$')
    if first_page == page then
      outcome, views, visitors = ${VIEW_OUTCOME.duplicate}, tonumber(first_views), tonumber(first_visitors)
    else
      outcome = ${VIEW_OUTCOME.keyReused}
    end
  elseif budgeted and spent(views_budget, views_limit) then
    outcome = ${VIEW_OUTCOME.rateLimited}
  elseif is_new and budgeted and spent(new_pages_budget, new_pages_limit) then
    outcome = ${VIEW_OUTCOME.newPageQuota}
  elseif is_new and not may_create then
    outcome = ${VIEW_OUTCOME.pageOutsidePattern}
  elseif is_new and redis.call('ZCARD', ranking) >= max_pages then
    outcome = ${VIEW_OUTCOME.pageLimit}
  else
    views = tonumber(redis.call('ZINCRBY', ranking, 1, page))
    redis.call('INCR', total)
    redis.call('PFADD', visitors_key, visitor)
    visitors = redis.call('PFCOUNT', visitors_key)
    if idempotency_key then
      redis.call('SET', idempotency_key, string.format('%d %d %s', views, visitors, page), 'PX', window_ms)
    end
    if budgeted then
      spend(views_budget, views_limit, views_left_ms)
      if is_new then spend(new_pages_budget, new_pages_limit, new_pages_left_ms) end
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
