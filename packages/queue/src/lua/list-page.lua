-- One chunk of a listing: the entries of a set (or the waiting list) after a position, each
-- with what a listing shows of its job and never its body, so a chunk's answer stays small
-- whatever the bodies weigh. Stops after ARGV[6] entries, or once ARGV[7] bytes of job data
-- were decoded (at least one entry): Redis is never busy for long.
-- KEYS: the set or list, the job keys' prefix (`<shard>:deliveries:`).
-- ARGV: how ('desc', 'asc' or 'list'), from (a score, inclusive), to (a score, inclusive),
-- after (the job id last read, or ''), offset, count, byte budget.
-- A zset resumes right after `after` while it is still there at score `from`; otherwise from
-- `from`, skipping `offset` entries (the caller drops those at `from` it has seen). The list
-- resumes after `after`, or ends when it left (older entries leave before newer ones) or lies
-- deeper than the bound below.
-- Returns {more (0/1), id, score, job, failedReason, returnvalue's attempt, …}.
local how, from, to, after = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local offset, count, budget = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local set, base = KEYS[1], KEYS[2]

local ids = {}
local scores = {}
local function take(flat, withScores)
  local step = withScores and 2 or 1
  for i = 1, #flat, step do
    ids[#ids + 1] = flat[i]
    if withScores then scores[#ids] = flat[i + 1] end
  end
end

if how == 'list' then
  local start = offset
  if after ~= '' then
    -- LPOS walks the list from its newest entry: bounded, a listing of waiting requests reaches
    -- the newest 100,000 of them.
    local at = redis.call('LPOS', set, after, 'MAXLEN', 100000)
    if not at then return {0} end
    start = at + 1
  end
  take(redis.call('LRANGE', set, start, start + count - 1), false)
else
  local rank
  if after ~= '' then
    rank = how == 'desc' and redis.call('ZREVRANK', set, after) or redis.call('ZRANK', set, after)
    if rank and tonumber(redis.call('ZSCORE', set, after)) ~= tonumber(from) then rank = nil end
  end
  if rank then
    take(redis.call(how == 'desc' and 'ZREVRANGE' or 'ZRANGE', set, rank + 1, rank + count, 'WITHSCORES'), true)
    -- Past `to`: the rest of the set is outside the window.
    local n = #ids
    for i = 1, #ids do
      local s = tonumber(scores[i])
      if (how == 'desc' and s < tonumber(to)) or (how == 'asc' and s > tonumber(to)) then n = i - 1 break end
    end
    for i = #ids, n + 1, -1 do ids[i] = nil end
  elseif how == 'desc' then
    take(redis.call('ZREVRANGEBYSCORE', set, from, to, 'WITHSCORES', 'LIMIT', offset, count), true)
  else
    take(redis.call('ZRANGEBYSCORE', set, from, to, 'WITHSCORES', 'LIMIT', offset, count), true)
  end
end

local out = {#ids == count and 1 or 0}
local bytes = 0
for i = 1, #ids do
  if i > 1 and bytes >= budget then
    out[1] = 1
    break
  end
  local id = ids[i]
  local v = redis.call('HMGET', base .. id, 'data', 'failedReason', 'returnvalue', 'timestamp')
  local job, attempt = false, false
  if v[1] then
    bytes = bytes + #v[1]
    local ok, d = pcall(cjson.decode, v[1])
    if ok and type(d) == 'table' then
      local last = type(d.attempts) == 'table' and d.attempts[#d.attempts] or nil
      job = cjson.encode({
        config = d.config, method = d.method, url = d.url, acceptedAt = d.acceptedAt, notBefore = d.notBefore,
        group = d.group, orderKey = d.orderKey, attempt = last, schedule = d.schedule,
        labels = type(d.qstash) == 'table' and d.qstash.labels or nil,
      })
    end
  end
  if v[3] then
    local ok, r = pcall(cjson.decode, v[3])
    if ok and type(r) == 'table' and type(r.attempt) == 'table' then attempt = cjson.encode(r.attempt) end
  end
  out[#out + 1] = id
  out[#out + 1] = scores[i] or v[4] or '0'
  out[#out + 1] = job
  out[#out + 1] = v[2] or false
  out[#out + 1] = attempt
end
return out
