-- An operator pauses (ARGV[2] '1') or resumes ('0') a key. KEYS: its parts, the index.
-- ARGV: the flow key, pause, idle time to live (ms). Returns {ids to wake...}.
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
settle(K, KEYS[#PARTS + 1], ARGV[1], now, lock, tonumber(ARGV[3]), true)
return woken
