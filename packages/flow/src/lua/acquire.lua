-- Before an attempt. KEYS: the key's parts, the index, the register of keys with limits of
-- their own. ARGV: job id, acceptance order, concurrency, rate interval (ms), lock duration
-- (ms), track (1: the slot is released after the attempt), the flow key, idle time to live
-- (ms), then the job's own limits ('' when it carries none: concurrency, rate, period ms)
-- and how many keys may hold limits. Returns {verdict, detail, tracked (1: release the slot
-- after the attempt), ids to wake...}: 'go' (detail: ms it waited, or ''), 'wait' (detail:
-- why), 'later' (detail: ms until its rate slot).
local K = declared(1)
local index, limited = KEYS[#PARTS + 1], KEYS[#PARTS + 2]
local id, lock, key, idle = ARGV[1], tonumber(ARGV[5]), ARGV[7], tonumber(ARGV[8])
local now = clock()
local conc, iv = tonumber(ARGV[3]), tonumber(ARGV[4])
-- A message carries its limits: the key's lapsed (idle), they are its again, if there is room.
if ARGV[9] ~= '' and rcall('EXISTS', K.limits) == 0 then
  if room(K, limited, key, tonumber(ARGV[12])) then
    incoming(K, ARGV[9], ARGV[10], ARGV[11])
    kept(K, limited, key, now, idle)
  else
    conc, iv = stricter(conc, iv, num(ARGV[9], 0), num(ARGV[10], 0), num(ARGV[11], 1000))
  end
end
conc, iv = effective(K, conc, iv)
local track = ARGV[6] == '1' or conc > 0
rcall('HSET', K.state, 'conc', conc, 'iv', iv, 'lock', ARGV[5])
local out = {'go', '', track and '1' or '0'}
local function answer(verdict, detail)
  out[1], out[2] = verdict, detail
  settle(K, index, key, now, lock, idle, true)
  return out
end
-- Two at most: an attempt that starts wakes the next in line and one more, so a key resumed
-- with a large backlog and no limit wakes it as fast as the workers take it, not all at once
-- (each woken job waking 200 more promoted the whole backlog in a burst that held every
-- worker). Slots freed by releases and the sweep still wake up to 200.
local woken = pump(K, now, lock, 2)
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
if iv > 0 then
  local period = num(rcall('HGET', K.limits, 'period'), 1000)
  local mine = tonumber(rcall('ZSCORE', K.rsv, id))
  if mine then
    if mine > now then return answer('later', tostring(mine - now)) end
    rcall('ZREM', K.rsv, id)
  else
    local tat = num(rcall('HGET', K.state, 'tat'), 0)
    if tat <= now then
      rcall('HSET', K.state, 'tat', now + iv)
      counted(K, now, period)
    else
      counted(K, tat, period)
      rcall('HSET', K.state, 'tat', tat + iv)
      rcall('ZADD', K.rsv, tat, id)
      rcall('ZADD', K.held, 'XX', tat + lock, id)
      return answer('later', tostring(tat - now))
    end
  end
end
return answer(out[1], out[2])
