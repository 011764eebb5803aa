-- While an attempt runs: keeps its slot from expiring for another lock duration. KEYS: the
-- key's parts. ARGV: job id, lock duration (ms), idle time to live (ms). Returns 1, or 0 when
-- the slot was already gone (it expired: this worker was stalled for longer than the lock).
local K = declared(1)
local id, lock = ARGV[1], tonumber(ARGV[2])
local now = clock()
local expires = tonumber(rcall('ZSCORE', K.held, ARGV[1]))
if not expires then return 0 end
if expires < now + lock then rcall('ZADD', K.held, now + lock, id) end
local st = rcall('HMGET', K.state, 'until', 'tat')
keep(K, now, lock, tonumber(ARGV[3]), num(st[1], 0), num(st[2], 0))
return 1
