-- Gives back the slots granted to jobs that will never come (cancelled or removed while
-- asleep) and passes them on. A job that arrived meanwhile is no longer among the granted
-- and keeps its slot. KEYS: the key's parts, then the index. ARGV: the flow key, idle time
-- to live (ms), job ids. Returns {ids to wake...}.
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
settle(K, KEYS[#PARTS + 1], ARGV[1], now, lock, tonumber(ARGV[2]), true)
return woken
