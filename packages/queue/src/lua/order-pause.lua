-- Pauses or resumes an order key's line. A paused line's head sleeps at its next turn (an
-- attempt under way ends as it would); resuming wakes the head, the earliest job not finished.
-- KEYS: the paused set, the lengths index, the checks index. ARGV: base, order key, 1 to pause
-- or 0 to resume, now. Returns 1 when the line's state changed.
local base, key, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
if ARGV[3] == '1' then return rcall('SADD', KEYS[1], key) end
if rcall('SREM', KEYS[1], key) == 0 then return 0 end
settleHead(base, key, KEYS[2], KEYS[3], now)
return 1
