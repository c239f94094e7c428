// Lua scripts, loaded once with defineCommand and then sent as EVALSHA: one round trip per
// operation however many keys it touches, and atomic, so a page's views, the total and the
// ranking can never disagree. The ranking ZSET *is* the per-page counter. Key names come from
// redis-keys.ts.
import { VIEW_OUTCOME } from './view-store.js';

/**
 * Counts a batch of views, applied in order (VIEW-WRITE.md has the design and the order of the checks).
 *
 * KEYS: ranking zset, total, the batch day's ranking zset and total, the first-seen zset, then for each view its visitors HLL and
 * its visitors HLL of the day (only when visitors are counted), followed by its idempotency key when it has
 * one, followed by its client's two budget counters (views, new pages) when it is budgeted.
 * ARGV: the batch header (max pages, idempotency window in ms, views per client per window, ms left in that
 * window, new pages per client per window, ms left in that window, ms until the day's keys are deleted, 1 when
 * visitors are counted else 0, the batch day's number (dayNumber); a limit of 0 is no limit), then five per
 * view: page, visitor id, 1 when the view has an idempotency key, 1 when it is budgeted, 1 when it may create
 * its page (else 0 each). Returns three integers per view, in order: outcome (VIEW_OUTCOME), views, visitors;
 * a refused view has 0 and 0 and writes nothing, not even to a budget.
 *
 * A key remembers its first answer as "<views> <visitors> <page>" (a page name has no spaces), so a
 * replay answers exactly what the first write answered, and a key sent again for another page is told
 * apart from a retry.
 */
export const RECORD_VIEWS = `
local ranking, total, day_ranking, day_total, first_seen = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local max_pages, window_ms = tonumber(ARGV[1]), ARGV[2]
local views_limit, views_left_ms = tonumber(ARGV[3]), ARGV[4]
local new_pages_limit, new_pages_left_ms = tonumber(ARGV[5]), ARGV[6]
local day_keys_ms, count_visitors, day_number = ARGV[7], ARGV[8] == '1', ARGV[9]
local HEADER_FIELDS, VIEW_FIELDS = 9, 5
-- A budget counter is created by the first view it counts and lives until its window ends.
local function spend(budget, limit, left_ms)
  if limit > 0 and redis.call('INCR', budget) == 1 then redis.call('PEXPIRE', budget, left_ms) end
end
local function spent(budget, limit)
  return limit > 0 and (tonumber(redis.call('GET', budget)) or 0) >= limit
end
local result = {}
local next_key = 6
for at = HEADER_FIELDS + 1, #ARGV, VIEW_FIELDS do
  local page, visitor, keyed = ARGV[at], ARGV[at + 1], ARGV[at + 2] == '1'
  local budgeted, may_create = ARGV[at + 3] == '1', ARGV[at + 4] == '1'
  local visitors_key, day_visitors_key, idempotency_key, views_budget, new_pages_budget = nil, nil, nil, nil, nil
  if count_visitors then
    visitors_key, day_visitors_key = KEYS[next_key], KEYS[next_key + 1]
    next_key = next_key + 2
  end
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
    -- The view that creates a page records its day, so its days can be proved to add up to its total.
    if is_new then redis.call('ZADD', first_seen, day_number, page) end
    if count_visitors then
      redis.call('PFADD', visitors_key, visitor)
      visitors = redis.call('PFCOUNT', visitors_key)
    end
    -- A day's keys get their expiry from the write that creates them: the day's first view creates the
    -- ranking and the total, a page's first view of the day its visitors HLL.
    local first_of_day = redis.call('INCR', day_total) == 1
    local page_views_today = tonumber(redis.call('ZINCRBY', day_ranking, 1, page))
    if first_of_day then
      redis.call('PEXPIRE', day_total, day_keys_ms)
      redis.call('PEXPIRE', day_ranking, day_keys_ms)
    end
    if count_visitors then
      redis.call('PFADD', day_visitors_key, visitor)
      if page_views_today == 1 then redis.call('PEXPIRE', day_visitors_key, day_keys_ms) end
    end
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

/**
 * A page's views on each day of a range and its visitors over the range.
 * KEYS: the days' ranking zsets, in order, then, when visitors are counted, the same days' visitors HLLs of the
 * page. ARGV: page, number of days. Returns { views on day 1, ..., views on day N, visitors over the N days
 * (only when their HLLs were given) }.
 */
export const PAGE_RANGE = `
local days = tonumber(ARGV[2])
local result = {}
for i = 1, days do result[i] = tonumber(redis.call('ZSCORE', KEYS[i], ARGV[1])) or 0 end
if #KEYS > days then result[days + 1] = redis.call('PFCOUNT', unpack(KEYS, days + 1, 2 * days)) end
return result
`;

/**
 * The top pages over a range: the days' rankings summed into a scratch key (ZUNIONSTORE), read, and deleted
 * in the same call, so nothing is left behind. ZUNION would hand every page of the range to the script and
 * leave the top to be picked in Lua; docs/performance.md's Capacity section has both measured.
 * A range that ends today may pass a cache key: the union of its completed days (all but the last) is then
 * kept there, stamped with the range generation (a member "#generation:<n>" scored -1: no page name starts
 * with "#", and no page scores below 1), and rebuilt only when missing or of another generation; the read sums
 * it with today's ranking alone.
 * KEYS: the scratch zset, the days' ranking zsets, the same days' totals, then optionally the cache zset and
 * the generation string. ARGV: limit (0: no ranking), number of days, ms until the cache expires (with a cache).
 * Returns { { total on day 1, ..., total on day N }, { page, score, page, score, ... } }.
 */
export const TOP_PAGES_RANGE = `
local days = tonumber(ARGV[2])
local totals = redis.call('MGET', unpack(KEYS, days + 2, 2 * days + 1))
for i = 1, days do totals[i] = tonumber(totals[i]) or 0 end
local limit, ranked = tonumber(ARGV[1]), {}
local cache, generation = KEYS[2 * days + 2], KEYS[2 * days + 3]
-- A limit of 0 asks for the days' totals alone, which cost no union.
if limit > 0 then
  if cache then
    local stamp = '#generation:' .. (redis.call('GET', generation) or '0')
    if not redis.call('ZSCORE', cache, stamp) then
      redis.call('ZUNIONSTORE', cache, days - 1, unpack(KEYS, 2, days))
      redis.call('ZADD', cache, -1, stamp)
      redis.call('PEXPIRE', cache, ARGV[3])
    end
    redis.call('ZUNIONSTORE', KEYS[1], 2, cache, KEYS[days + 1])
  else
    redis.call('ZUNIONSTORE', KEYS[1], days, unpack(KEYS, 2, days + 1))
  end
  -- One more than the limit: the stamp, scored lowest, is among them only when fewer pages than that exist.
  local top = redis.call('ZREVRANGE', KEYS[1], 0, limit, 'WITHSCORES')
  redis.call('DEL', KEYS[1])
  for i = 1, #top, 2 do
    if string.sub(top[i], 1, 1) ~= '#' and #ranked < 2 * limit then
      ranked[#ranked + 1] = top[i]
      ranked[#ranked + 1] = top[i + 1]
    end
  end
end
return { totals, ranked }
`;

/** KEYS: ranking zset, then the page's visitors HLL when visitors are counted. ARGV: page. Returns { views, visitors or 0 }. */
export const PAGE_STATS = `
return { tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) or 0, KEYS[2] and redis.call('PFCOUNT', KEYS[2]) or 0 }
`;

/** KEYS: ranking zset, total. ARGV: limit. Returns { total, { page, score, page, score, ... } }. */
export const TOP_PAGES = `
local ranked = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
return { tonumber(redis.call('GET', KEYS[2])) or 0, ranked }
`;

/**
 * One page as the export reads it, as of one instant. KEYS: ranking zset, the page's visitors HLL, the
 * first-seen zset, then the retained days' ranking zsets, then the same days' visitors HLLs of the page. ARGV:
 * page. Returns { views, visitors HLL string or '', { views on each day }, { each day's HLL string or '' },
 * first-seen day number or -1 }; read as Buffers, since an HLL string is binary.
 */
export const EXPORT_PAGE = `
local days = (#KEYS - 3) / 2
local views, day_views, day_hlls = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) or 0, {}, {}
for i = 1, days do
  local viewed = tonumber(redis.call('ZSCORE', KEYS[3 + i], ARGV[1])) or 0
  day_views[i] = viewed
  day_hlls[i] = viewed > 0 and redis.call('GET', KEYS[3 + days + i]) or ''
end
return { views, redis.call('GET', KEYS[2]) or '', day_views, day_hlls, tonumber(redis.call('ZSCORE', KEYS[3], ARGV[1])) or -1 }
`;

/**
 * Sets pages to imported figures, all in one call (the caller checked them all first). The totals move by
 * each difference, so the same import twice changes nothing. A day's keys get the expiry RECORD_VIEWS gives
 * them (the end of the day plus the retention), whether the import creates them or not.
 * KEYS: ranking zset, total, first-seen zset, range generation (bumped: past days change), then per page its visitors HLL and per day of it the day's ranking
 * zset, total and the page's visitors HLL of the day. ARGV: per page: page, views, HLL string ('' to leave
 * visitors as they are), first-seen day number ('' when not known: the page's is removed), number of days, then
 * per day: views, HLL string or '', ms until the day's keys are deleted.
 */
export const IMPORT_PAGES = `
local ranking, total, first_seen = KEYS[1], KEYS[2], KEYS[3]
redis.call('INCR', KEYS[4])
local key, arg = 5, 1
local function set_count(zset, sum, page, views)
  local before = tonumber(redis.call('ZSCORE', zset, page)) or 0
  redis.call('ZADD', zset, views, page)
  redis.call('INCRBY', sum, views - before)
end
while arg <= #ARGV do
  local page, views, hll, first_day, days = ARGV[arg], tonumber(ARGV[arg + 1]), ARGV[arg + 2], ARGV[arg + 3], tonumber(ARGV[arg + 4])
  arg = arg + 5
  set_count(ranking, total, page, views)
  if first_day == '' then redis.call('ZREM', first_seen, page) else redis.call('ZADD', first_seen, first_day, page) end
  if hll ~= '' then redis.call('SET', KEYS[key], hll) end
  key = key + 1
  for _ = 1, days do
    local day_ranking, day_total, day_visitors = KEYS[key], KEYS[key + 1], KEYS[key + 2]
    local day_views, day_hll, day_keys_ms = tonumber(ARGV[arg]), ARGV[arg + 1], ARGV[arg + 2]
    key, arg = key + 3, arg + 3
    set_count(day_ranking, day_total, page, day_views)
    redis.call('PEXPIRE', day_ranking, day_keys_ms)
    redis.call('PEXPIRE', day_total, day_keys_ms)
    if day_hll ~= '' then redis.call('SET', day_visitors, day_hll, 'PX', day_keys_ms) end
  end
end
return #ARGV
`;

/**
 * Forgets one page and takes its views off the totals, so every total still equals the sum of its pages.
 * KEYS: ranking zset, total, the page's visitors HLL, the first-seen zset, the range generation (bumped: past
 * days change), then per retained day its ranking
 * zset, total and the page's visitors HLL. ARGV: page. Returns { views, visitors } as they were.
 */
export const RESET_PAGE = `
local page = ARGV[1]
local views = tonumber(redis.call('ZSCORE', KEYS[1], page)) or 0
local visitors = redis.call('PFCOUNT', KEYS[3])
redis.call('ZREM', KEYS[1], page)
redis.call('ZREM', KEYS[4], page)
redis.call('INCR', KEYS[5])
-- 0 - views, not -views: Lua's -0 is "-0", which INCRBY refuses
redis.call('INCRBY', KEYS[2], 0 - views)
redis.call('DEL', KEYS[3])
for key = 6, #KEYS, 3 do
  local day_views = tonumber(redis.call('ZSCORE', KEYS[key], page))
  if day_views then
    redis.call('ZREM', KEYS[key], page)
    redis.call('INCRBY', KEYS[key + 1], 0 - day_views)
  end
  redis.call('DEL', KEYS[key + 2])
end
return { views, visitors }
`;

/**
 * Everything the consistency check compares, read as of one instant (a script runs alone), so views counted
 * meanwhile cannot make a page disagree with a total. KEYS: ranking zset, total, first-seen zset, then per day
 * its ranking zset and total. Returns { total, { page, score, ... }, { { page, score, ... } per day },
 * { total per day }, { page, first-seen day number, ... } }.
 */
export const CONSISTENCY_READ = `
local days = (#KEYS - 3) / 2
local day_rankings, day_totals = {}, {}
for i = 1, days do
  day_rankings[i] = redis.call('ZREVRANGE', KEYS[2 + 2 * i], 0, -1, 'WITHSCORES')
  day_totals[i] = tonumber(redis.call('GET', KEYS[3 + 2 * i])) or 0
end
return { tonumber(redis.call('GET', KEYS[2])) or 0, redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES'), day_rankings, day_totals,
  redis.call('ZREVRANGE', KEYS[3], 0, -1, 'WITHSCORES') }
`;
