-- The checks and the append in one script, so concurrent lines cannot overrun the bounds.
-- KEYS: the job's hash, its log. ARGV: the line (stamp first), most lines, most bytes, the
-- stamp's length (not counted). Returns the lines now, -1 (unknown), -2 (too many lines),
-- -3 (too many bytes).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local lines = redis.call('LRANGE', KEYS[2], 0, -1)
if #lines >= tonumber(ARGV[2]) then return -2 end
local stamp = tonumber(ARGV[4])
local used = #ARGV[1] - stamp
for _, line in ipairs(lines) do used = used + #line - stamp end
if used > tonumber(ARGV[3]) then return -3 end
return redis.call('RPUSH', KEYS[2], ARGV[1])
