-- After an attempt. KEYS: the key's parts, then the index. ARGV: job id, outcome for the
-- breaker ('ok', 'fail' or '' for none), breaker failures, cooldown ms, max cooldown ms, the
-- flow key, idle time to live (ms). Returns {breaker change ('open', 'closed' or ''), ids to wake...}.
local K = declared(1)
local index = KEYS[#PARTS + 1]
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
return out
