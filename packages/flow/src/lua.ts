// The flow-control state of one key lives in a few keys that share the flow prefix's hash
// tag (one Redis Cluster slot for all of flow control, so one script may touch several keys):
//   held     ZSET  job id -> when its slot expires (a dead worker's slot frees itself)
//   wait     ZSET  job id -> acceptance time (the order slots are granted in)
//   since    HASH  job id -> when it started waiting
//   parking  SET   job ids told to wait that have not yet confirmed they are asleep
//   granted  ZSET  job id -> when it was granted a slot while asleep (woken, not yet arrived)
//   rsv      ZSET  job id -> the start time reserved for it by the rate limit
//   state    HASH  limits as last applied, tat (rate), breaker fields, paused
// and an index of keys with state, scored by when each was last touched.

/** The names of one key's Redis keys, in the order the scripts take them. */
export const KEY_PARTS = ['held', 'wait', 'since', 'parking', 'granted', 'rsv', 'state'] as const;

// Every script starts with these. `K` holds one flow key's Redis keys; `now` is Redis's own
// clock, so workers whose clocks disagree still agree on windows and expiries.
const COMMON = `
local rcall = redis.call
local function num(v, d) local n = tonumber(v) if n == nil then return d end return n end
local function clock() local t = rcall('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local PARTS = {'held', 'wait', 'since', 'parking', 'granted', 'rsv', 'state'}
local function keysOf(base) local K = {} for _, p in ipairs(PARTS) do K[p] = base .. ':' .. p end return K end
local function declared(first) local K = {} for i, p in ipairs(PARTS) do K[p] = KEYS[first + i - 1] end return K end

-- May a new attempt start now? 'ok', 'probe' (the breaker's cooldown is over), or why not.
local function gate(K, now)
  local st = rcall('HMGET', K.state, 'paused', 'breaker', 'until', 'conc')
  if st[1] == '1' then return 'paused' end
  local half = false
  if st[2] == 'open' then
    if now < num(st[3], 0) then return 'breaker' end
    half = true
  elseif st[2] == 'probing' then
    return 'breaker'
  end
  local conc = num(st[4], 0)
  if conc > 0 and rcall('ZCARD', K.held) >= conc then return 'concurrency' end
  if half then return 'probe' end
  return 'ok'
end

local function grant(K, id, now, lock, verdict)
  rcall('ZADD', K.held, now + lock, id)
  if verdict == 'probe' then rcall('HSET', K.state, 'breaker', 'probing', 'probe', id) end
end

local function purge(K, now, lock)
  local gone = rcall('ZRANGEBYSCORE', K.held, '-inf', now)
  for _, id in ipairs(gone) do rcall('ZREM', K.held, id) rcall('ZREM', K.granted, id) end
  rcall('ZREMRANGEBYSCORE', K.rsv, '-inf', now - lock - 60000)
  local st = rcall('HMGET', K.state, 'breaker', 'probe')
  -- The probe ended without a verdict (its worker died, or the address was refused): probe again.
  if st[1] == 'probing' and not rcall('ZSCORE', K.held, st[2]) then
    rcall('HSET', K.state, 'breaker', 'open', 'until', now)
  end
end

-- Grants free slots to the longest-waiting jobs; returns those to wake. A job still on its
-- way to sleep is not woken: it finds its grant when it confirms (see PARKED). A granted job
-- that has not arrived after 5 s is woken again, in case the waker died.
local function pump(K, now, lock, max)
  purge(K, now, lock)
  local woken = {}
  for _, id in ipairs(rcall('ZRANGEBYSCORE', K.granted, '-inf', now - 5000, 'LIMIT', 0, max)) do
    rcall('ZADD', K.granted, now, id)
    woken[#woken + 1] = id
  end
  while #woken < max do
    local verdict = gate(K, now)
    if verdict ~= 'ok' and verdict ~= 'probe' then break end
    local head = rcall('ZRANGE', K.wait, 0, 0)[1]
    if not head then break end
    rcall('ZREM', K.wait, head)
    grant(K, head, now, lock, verdict)
    rcall('ZADD', K.granted, now, head)
    if rcall('SREM', K.parking, head) == 0 then woken[#woken + 1] = head end
  end
  return woken
end

-- Forgets a key with nothing left to remember, so the index holds only keys with work.
local function tidy(K, index, key, now)
  if rcall('ZCARD', K.held) > 0 or rcall('ZCARD', K.wait) > 0 or rcall('ZCARD', K.granted) > 0 then return end
  local st = rcall('HMGET', K.state, 'paused', 'breaker', 'fails', 'tat')
  if st[1] == '1' or (st[2] and st[2] ~= 'closed') or num(st[3], 0) > 0 or num(st[4], 0) > now then return end
  rcall('DEL', K.state, K.since, K.parking, K.rsv)
  rcall('ZREM', index, key)
end
`;

/**
 * Before an attempt. KEYS: the key's parts, then the index. ARGV: job id, acceptance order,
 * concurrency, rate interval (ms), lock duration (ms), track (1: the slot is released after
 * the attempt), the flow key. Returns {verdict, detail, ids to wake...}: 'go' (detail: ms it
 * waited, or ''), 'wait' (detail: why), 'later' (detail: ms until its rate slot).
 */
export const ACQUIRE = `${COMMON}
local K = declared(1)
local index = KEYS[8]
local id, lock, track = ARGV[1], tonumber(ARGV[5]), ARGV[6] == '1'
local now = clock()
rcall('HSET', K.state, 'conc', ARGV[3], 'iv', ARGV[4], 'lock', ARGV[5])
rcall('ZADD', index, now, ARGV[7])
local out = {'go', ''}
local woken = pump(K, now, lock, 200)
for _, w in ipairs(woken) do out[#out + 1] = w end
if rcall('ZSCORE', K.held, id) then
  rcall('ZREM', K.granted, id)
  local since = rcall('HGET', K.since, id)
  if since then
    rcall('HDEL', K.since, id)
    out[2] = tostring(now - tonumber(since))
  end
  if not track and rcall('HGET', K.state, 'probe') ~= id then rcall('ZREM', K.held, id) end
elseif rcall('ZSCORE', K.wait, id) then
  rcall('SADD', K.parking, id)
  out[1], out[2] = 'wait', 'queued'
  return out
else
  local verdict = gate(K, now)
  if (verdict == 'ok' or verdict == 'probe') and rcall('ZCARD', K.wait) == 0 then
    if track or verdict == 'probe' then grant(K, id, now, lock, verdict) end
  else
    if verdict == 'ok' or verdict == 'probe' then verdict = 'queued' end
    rcall('ZADD', K.wait, ARGV[2], id)
    rcall('HSET', K.since, id, now)
    rcall('SADD', K.parking, id)
    out[1], out[2] = 'wait', verdict
    return out
  end
end
local iv = tonumber(ARGV[4])
if iv > 0 then
  local mine = tonumber(rcall('ZSCORE', K.rsv, id))
  if mine then
    if mine > now then
      out[1], out[2] = 'later', tostring(mine - now)
      return out
    end
    rcall('ZREM', K.rsv, id)
  else
    local tat = num(rcall('HGET', K.state, 'tat'), 0)
    if tat <= now then
      rcall('HSET', K.state, 'tat', now + iv)
    else
      rcall('HSET', K.state, 'tat', tat + iv)
      rcall('ZADD', K.rsv, tat, id)
      rcall('ZADD', K.held, 'XX', tat + lock, id)
      out[1], out[2] = 'later', tostring(tat - now)
      return out
    end
  end
end
tidy(K, index, ARGV[7], now)
return out`;

/** After moving a waiting job to sleep. KEYS: parking. 1: asleep; 0: granted meanwhile, wake it. */
export const PARKED = `return redis.call('SREM', KEYS[1], ARGV[1])`;

/**
 * After an attempt. KEYS: the key's parts, then the index. ARGV: job id, outcome for the
 * breaker ('ok', 'fail' or '' for none), breaker failures, cooldown ms, max cooldown ms, the
 * flow key. Returns {breaker change ('open', 'closed' or ''), ids to wake...}.
 */
export const RELEASE = `${COMMON}
local K = declared(1)
local index = KEYS[8]
local id, outcome, threshold = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = clock()
local lock = num(rcall('HGET', K.state, 'lock'), 30000)
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
tidy(K, index, ARGV[6], now)
return out`;

/**
 * The safety sweep: pumps the keys touched least recently, which frees the slots of dead
 * workers, starts breaker probes after a cooldown and re-wakes lost wake-ups. KEYS: the
 * index. ARGV: key name base, how many keys. Returns {ids to wake...}.
 */
export const SWEEP = `${COMMON}
local index = KEYS[1]
local now = clock()
local out = {}
for _, key in ipairs(rcall('ZRANGE', index, 0, tonumber(ARGV[2]) - 1)) do
  local K = keysOf(ARGV[1] .. key)
  rcall('ZADD', index, now, key)
  for _, w in ipairs(pump(K, now, num(rcall('HGET', K.state, 'lock'), 30000), 200)) do out[#out + 1] = w end
  tidy(K, index, key, now)
end
return out`;

/** An operator pauses (ARGV[3] '1') or resumes ('0') a key. KEYS: its parts, the index. Returns {ids to wake...}. */
export const PAUSE = `${COMMON}
local K = declared(1)
local now = clock()
rcall('ZADD', KEYS[8], now, ARGV[1])
if ARGV[2] == '1' then
  rcall('HSET', K.state, 'paused', '1')
  return {}
end
rcall('HDEL', K.state, 'paused')
local woken = pump(K, now, num(rcall('HGET', K.state, 'lock'), 30000), 200)
tidy(K, KEYS[8], ARGV[1], now)
return woken`;

/**
 * What GET /hosts shows, for up to ARGV[2] keys. KEYS: the index. ARGV: key name base.
 * Returns {now, key, in flight, waiting, state fields as name/value pairs (flattened), ...}.
 */
export const LIST = `${COMMON}
local now = clock()
local out = {now}
for _, key in ipairs(rcall('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local K = keysOf(ARGV[1] .. key)
  local st = rcall('HGETALL', K.state)
  out[#out + 1] = key
  out[#out + 1] = rcall('ZCARD', K.held)
  out[#out + 1] = rcall('ZCARD', K.wait)
  out[#out + 1] = st
end
return out`;
