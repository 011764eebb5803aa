import { COMMON } from './lua-common.js';

export { KEY_PARTS } from './lua-common.js';

/**
 * Before an attempt. KEYS: the key's parts, then the index. ARGV: job id, acceptance order,
 * concurrency, rate interval (ms), lock duration (ms), track (1: the slot is released after
 * the attempt), the flow key, idle time to live (ms). Returns {verdict, detail, ids to
 * wake...}: 'go' (detail: ms it waited, or ''), 'wait' (detail: why), 'later' (detail: ms
 * until its rate slot).
 */
export const ACQUIRE = `${COMMON}
local K = declared(1)
local index = KEYS[8]
local id, lock, track, key, idle = ARGV[1], tonumber(ARGV[5]), ARGV[6] == '1', ARGV[7], tonumber(ARGV[8])
local now = clock()
rcall('HSET', K.state, 'conc', ARGV[3], 'iv', ARGV[4], 'lock', ARGV[5])
local out = {'go', ''}
local function answer(verdict, detail)
  out[1], out[2] = verdict, detail
  settle(K, index, key, now, lock, idle, true)
  return out
end
local woken = pump(K, now, lock, 200)
for _, w in ipairs(woken) do out[#out + 1] = w end
local held = tonumber(rcall('ZSCORE', K.held, id))
if held then
  rcall('ZREM', K.granted, id)
  local since = rcall('HGET', K.since, id)
  if since then
    rcall('HDEL', K.since, id)
    out[2] = tostring(now - tonumber(since))
  end
  if not track and rcall('HGET', K.state, 'probe') ~= id then rcall('ZREM', K.held, id)
  -- Granted while it slept, it may have waited its turn in the queue: a full lock from now.
  elseif held < now + lock then rcall('ZADD', K.held, now + lock, id) end
elseif rcall('ZSCORE', K.wait, id) then
  rcall('SADD', K.parking, id)
  return answer('wait', 'queued')
else
  local verdict = gate(K, now)
  if (verdict == 'ok' or verdict == 'probe') and rcall('ZCARD', K.wait) == 0 then
    if track or verdict == 'probe' then grant(K, id, now, lock, verdict) end
  else
    if verdict == 'ok' or verdict == 'probe' then verdict = 'queued' end
    rcall('ZADD', K.wait, ARGV[2], id)
    rcall('HSET', K.since, id, now)
    rcall('SADD', K.parking, id)
    return answer('wait', verdict)
  end
end
local iv = tonumber(ARGV[4])
if iv > 0 then
  local mine = tonumber(rcall('ZSCORE', K.rsv, id))
  if mine then
    if mine > now then return answer('later', tostring(mine - now)) end
    rcall('ZREM', K.rsv, id)
  else
    local tat = num(rcall('HGET', K.state, 'tat'), 0)
    if tat <= now then
      rcall('HSET', K.state, 'tat', now + iv)
    else
      rcall('HSET', K.state, 'tat', tat + iv)
      rcall('ZADD', K.rsv, tat, id)
      rcall('ZADD', K.held, 'XX', tat + lock, id)
      return answer('later', tostring(tat - now))
    end
  end
end
return answer(out[1], out[2])`;

/** After moving a waiting job to sleep. KEYS: parking. 1: asleep; 0: granted meanwhile, wake it. */
export const PARKED = `return redis.call('SREM', KEYS[1], ARGV[1])`;

/**
 * While an attempt runs: keeps its slot from expiring for another lock duration. KEYS: the
 * key's parts. ARGV: job id, lock duration (ms), idle time to live (ms). Returns 1, or 0 when
 * the slot was already gone (it expired: this worker was stalled for longer than the lock).
 */
export const RENEW = `${COMMON}
local K = declared(1)
local id, lock = ARGV[1], tonumber(ARGV[2])
local now = clock()
local expires = tonumber(rcall('ZSCORE', K.held, ARGV[1]))
if not expires then return 0 end
if expires < now + lock then rcall('ZADD', K.held, now + lock, id) end
local st = rcall('HMGET', K.state, 'until', 'tat')
keep(K, now, lock, tonumber(ARGV[3]), num(st[1], 0), num(st[2], 0))
return 1`;

/**
 * After an attempt. KEYS: the key's parts, then the index. ARGV: job id, outcome for the
 * breaker ('ok', 'fail' or '' for none), breaker failures, cooldown ms, max cooldown ms, the
 * flow key, idle time to live (ms). Returns {breaker change ('open', 'closed' or ''), ids to wake...}.
 */
export const RELEASE = `${COMMON}
local K = declared(1)
local index = KEYS[8]
local id, outcome, threshold = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = clock()
local lock = lockOf(K)
rcall('ZREM', K.held, id)
local change = ''
if outcome ~= '' and threshold > 0 then
  local st = rcall('HMGET', K.state, 'breaker', 'probe', 'trips')
  if outcome == 'ok' then
    rcall('HSET', K.state, 'fails', 0)
    if st[1] and st[1] ~= 'closed' then
      rcall('HSET', K.state, 'breaker', 'closed', 'trips', 0)
      rcall('HDEL', K.state, 'probe', 'until')
      change = 'closed'
    end
  else
    local fails = rcall('HINCRBY', K.state, 'fails', 1)
    if st[1] == 'probing' and st[2] == id then
      local trips = num(st[3], 1) + 1
      local pause = math.min(tonumber(ARGV[4]) * 2 ^ (trips - 1), tonumber(ARGV[5]))
      rcall('HSET', K.state, 'breaker', 'open', 'until', now + pause, 'trips', trips)
      rcall('HDEL', K.state, 'probe')
      change = 'open'
    elseif (not st[1] or st[1] == 'closed') and fails >= threshold then
      rcall('HSET', K.state, 'breaker', 'open', 'until', now + tonumber(ARGV[4]), 'trips', 1)
      change = 'open'
    end
  end
end
local out = {change}
for _, w in ipairs(pump(K, now, lock, 200)) do out[#out + 1] = w end
settle(K, index, ARGV[6], now, lock, tonumber(ARGV[7]), true)
return out`;

/**
 * Gives back the slots granted to jobs that will never come (cancelled or removed while
 * asleep) and passes them on. A job that arrived meanwhile is no longer among the granted
 * and keeps its slot. KEYS: the key's parts, then the index. ARGV: the flow key, idle time
 * to live (ms), job ids. Returns {ids to wake...}.
 */
export const DROP = `${COMMON}
local K = declared(1)
local now = clock()
local lock = lockOf(K)
for i = 3, #ARGV do
  local id = ARGV[i]
  if rcall('ZREM', K.granted, id) == 1 then
    rcall('ZREM', K.held, id)
    rcall('HDEL', K.since, id)
    rcall('SREM', K.parking, id)
  end
end
local woken = pump(K, now, lock, 200)
settle(K, KEYS[8], ARGV[1], now, lock, tonumber(ARGV[2]), true)
return woken`;

/**
 * The safety sweep: pumps the keys that are due (see settle), which frees the slots of dead
 * workers, starts breaker probes after a cooldown and re-wakes lost wake-ups; drops from the
 * index the keys that expired. KEYS: the index. ARGV: key name base, how many keys, idle
 * time to live (ms). Returns {flow key, id to wake, ...}.
 */
export const SWEEP = `${COMMON}
local index = KEYS[1]
local now = clock()
local out = {}
for _, key in ipairs(rcall('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
  local K = keysOf(ARGV[1] .. key)
  if rcall('EXISTS', K.held, K.wait, K.since, K.parking, K.granted, K.rsv, K.state) == 0 then
    rcall('ZREM', index, key)
  else
    local lock = lockOf(K)
    for _, w in ipairs(pump(K, now, lock, 200)) do
      out[#out + 1] = key
      out[#out + 1] = w
    end
    settle(K, index, key, now, lock, tonumber(ARGV[3]), false)
  end
end
return out`;

/**
 * An operator pauses (ARGV[2] '1') or resumes ('0') a key. KEYS: its parts, the index.
 * ARGV: the flow key, pause, idle time to live (ms). Returns {ids to wake...}.
 */
export const PAUSE = `${COMMON}
local K = declared(1)
local now = clock()
local lock = lockOf(K)
local woken = {}
if ARGV[2] == '1' then
  rcall('HSET', K.state, 'paused', '1')
else
  rcall('HDEL', K.state, 'paused')
  woken = pump(K, now, lock, 200)
end
settle(K, KEYS[8], ARGV[1], now, lock, tonumber(ARGV[3]), true)
return woken`;

/**
 * What GET /hosts shows, for up to ARGV[2] keys, those due soonest (the busiest) first.
 * KEYS: the index. ARGV: key name base. Returns {now, key, in flight, waiting, state fields
 * as name/value pairs (flattened), ...}.
 */
export const LIST = `${COMMON}
local now = clock()
local out = {now}
for _, key in ipairs(rcall('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local K = keysOf(ARGV[1] .. key)
  local st = rcall('HGETALL', K.state)
  if #st > 0 then
    out[#out + 1] = key
    out[#out + 1] = rcall('ZCARD', K.held)
    out[#out + 1] = rcall('ZCARD', K.wait)
    out[#out + 1] = st
  end
end
return out`;
