-- The safety net of order lines: a head that finished while its worker died before leaving
-- the line, or that fell asleep as it became head, would hold its line for ever. Settles the
-- lines whose check is due, at most ARGV[3] of them, and puts each off by ARGV[4] ms.
-- KEYS: the lengths index, the checks index. ARGV: base, now, limit, check interval (ms).
-- Returns the ms at the head of each finished head it dropped.
local base, now = ARGV[1], tonumber(ARGV[2])
local due = rcall('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local dropped = {}
for _, key in ipairs(due) do
  if settleHead(base, key, KEYS[1], KEYS[2], now, dropped) then rcall('ZADD', KEYS[2], now + tonumber(ARGV[4]), key) end
end
return dropped
