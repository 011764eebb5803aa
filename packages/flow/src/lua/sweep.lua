-- The safety sweep: pumps the keys that are due (see settle), which frees the slots of dead
-- workers, starts breaker probes after a cooldown and re-wakes lost wake-ups; drops from the
-- index the keys that expired. KEYS: the index. ARGV: key name base, how many keys, idle
-- time to live (ms). Returns {flow key, id to wake, ...}.
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
return out
