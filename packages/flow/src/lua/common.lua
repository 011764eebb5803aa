-- The flow-control state of one key lives in a few keys that share the flow prefix's hash
-- tag (one Redis Cluster slot for all of flow control, so one script may touch several keys):
--   held     ZSET  job id -> when its slot expires (renewed while its attempt runs)
--   wait     ZSET  job id -> acceptance time (the order slots are granted in)
--   since    HASH  job id -> when it started waiting
--   parking  SET   job ids told to wait that have not yet confirmed they are asleep
--   granted  ZSET  job id -> when it was granted a slot while asleep (woken, not yet arrived)
--   rsv      ZSET  job id -> the start time reserved for it by the rate limit
--   state    HASH  limits as last applied, tat (rate), breaker fields, paused, the rate
--                  period's start and count (pstart, pcount: what GET /v2/flowControl shows)
--   limits   HASH  the key's own limits (QStash flow control): conc, rate per period (ms),
--                  pinc / pinr when pinned; kept while the key is used, like the rest
-- They expire together, an idle time after the key was last used (see keep), and an index
-- of keys holds each by when the sweep must next look at it (see settle).
--
-- Every script starts with these. `K` holds one flow key's Redis keys; `now` is Redis's own
-- clock, so workers whose clocks disagree still agree on windows and expiries.
local rcall = redis.call
local REWAKE = 5000
local function num(v, d) local n = tonumber(v) if n == nil then return d end return n end
local function clock() local t = rcall('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local PARTS = {'held', 'wait', 'since', 'parking', 'granted', 'rsv', 'state', 'limits'}
local function keysOf(base) local K = {} for _, p in ipairs(PARTS) do K[p] = base .. ':' .. p end return K end
local function declared(first) local K = {} for i, p in ipairs(PARTS) do K[p] = KEYS[first + i - 1] end return K end
local function lockOf(K) return num(rcall('HGET', K.state, 'lock'), 30000) end
local function first(z) return tonumber(rcall('ZRANGE', z, 0, 0, 'WITHSCORES')[2]) end

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
-- that has not arrived after REWAKE ms is woken again, in case the waker died.
local function pump(K, now, lock, max)
  purge(K, now, lock)
  local woken = {}
  for _, id in ipairs(rcall('ZRANGEBYSCORE', K.granted, '-inf', now - REWAKE, 'LIMIT', 0, max)) do
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

-- Keeps a key's Redis keys for `idle` ms more (at least twice the lock duration), and past
-- any time its state refers to: the breaker's cooldown (`reopen`), the rate window's
-- reservations (up to `tat`). Returns that time to live.
local function keep(K, now, lock, idle, reopen, tat)
  local ms = math.floor(math.max(idle, 2 * lock) + math.max(0, reopen - now) + math.max(0, tat - now))
  for _, p in ipairs(PARTS) do rcall('PEXPIRE', K[p], ms) end
  return ms
end

-- After a script used a key, or the sweep looked at it. A key with nothing left to remember
-- is forgotten at once. Any other is filed in the index by when the sweep must next look at
-- it: the earliest of a slot expiring, a granted job to wake again, waiting jobs that may go
-- (now, or when a breaker's cooldown ends); else, for a key in use (jobs waiting or holding
-- slots, or paused), half its time to live, when the sweep renews it; else just after it
-- expires, when the sweep drops it. A key only remembered (failures counted, a breaker left
-- open) is renewed by use only: unused, it expires.
local function settle(K, index, key, now, lock, idle, used)
  local st = rcall('HMGET', K.state, 'paused', 'breaker', 'fails', 'tat', 'until')
  local paused, tat, reopen = st[1] == '1', num(st[4], 0), num(st[5], 0)
  local busy = rcall('EXISTS', K.held, K.wait, K.granted) > 0
  if not busy and not paused and (not st[2] or st[2] == 'closed') and num(st[3], 0) == 0 and tat <= now then
    rcall('DEL', K.state, K.since, K.parking, K.rsv)
    rcall('ZREM', index, key)
    return
  end
  local live = busy or paused
  local ms = -1
  if not (used or live) then ms = rcall('PTTL', K.state) end
  if ms < 0 then ms = keep(K, now, lock, idle, reopen, tat) end
  local due = now + ms + 1000
  if live then due = now + math.floor(ms / 2) end
  if busy then
    local held, granted = first(K.held), first(K.granted)
    if held then due = math.min(due, held) end
    if granted then due = math.min(due, granted + REWAKE) end
    if rcall('EXISTS', K.wait) == 1 then
      local verdict = gate(K, now)
      if verdict == 'ok' or verdict == 'probe' then due = now end
      if verdict == 'breaker' and reopen > now then due = math.min(due, reopen) end
    end
  end
  rcall('ZADD', index, due, key)
end

-- The operator's limits (concurrency, rate interval ms) with a key's own: the stricter of each
-- applies, so HOST_LIMITS and its defaults are a ceiling no message can lift.
local function stricter(conc, iv, c, r, p)
  if c > 0 and (conc == 0 or c < conc) then conc = c end
  if r > 0 then iv = math.max(iv, math.ceil(p / r)) end
  return conc, iv
end
local function effective(K, conc, iv)
  local l = rcall('HMGET', K.limits, 'conc', 'rate', 'period')
  return stricter(conc, iv, num(l[1], 0), num(l[2], 0), num(l[3], 1000))
end

-- Makes room for one more key with limits of its own: false when `cap` keys still hold some
-- after those whose limits expired are dropped from the register.
local function room(K, limited, key, cap)
  if rcall('EXISTS', K.limits) == 1 or rcall('ZSCORE', limited, key) or rcall('ZCARD', limited) < cap then return true end
  local base = string.sub(K.limits, 1, #K.limits - #key - #':limits')
  for _, k in ipairs(rcall('ZRANGE', limited, 0, 199)) do
    if rcall('EXISTS', base .. k .. ':limits') == 0 then rcall('ZREM', limited, k) end
  end
  return rcall('ZCARD', limited) < cap
end

-- After a key's own limits changed: a key with none left is forgotten, any other is kept an
-- idle time (use keeps it longer, see keep) and filed in the register.
local function kept(K, limited, key, now, idle)
  local l = rcall('HMGET', K.limits, 'conc', 'rate', 'pinc', 'pinr')
  if not l[1] and not l[2] and not l[3] and not l[4] then
    rcall('DEL', K.limits)
    rcall('ZREM', limited, key)
    return
  end
  if rcall('PTTL', K.limits) < idle then rcall('PEXPIRE', K.limits, idle) end
  rcall('ZADD', limited, now, key)
end

-- A message's limits replace the key's, but for the parts pinned. 0 (or '') takes a limit away.
local function incoming(K, conc, rate, period)
  local pins = rcall('HMGET', K.limits, 'pinc', 'pinr')
  if pins[1] ~= '1' then
    if num(conc, 0) > 0 then rcall('HSET', K.limits, 'conc', conc) else rcall('HDEL', K.limits, 'conc') end
  end
  if pins[2] ~= '1' then
    if num(rate, 0) > 0 then rcall('HSET', K.limits, 'rate', rate, 'period', period) else rcall('HDEL', K.limits, 'rate', 'period') end
  end
end

-- Counts a rate slot taken for `at` in its period (what GET /v2/flowControl shows).
local function counted(K, at, period)
  local st = rcall('HMGET', K.state, 'pstart', 'pcount')
  local start, count = num(st[1], 0), num(st[2], 0)
  if at >= start + period then start, count = at, 0 end
  rcall('HSET', K.state, 'pstart', start, 'pcount', count + 1)
end
