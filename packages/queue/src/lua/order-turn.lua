-- A worker, before an ordered job's attempt: 1 when the job is its line's head and the line
-- is not paused; else 0, and the job is marked 'parking': the worker moves it to the delayed set and
-- settles it (order-settle.lua). A job not in its line enters at the back: a worker took it
-- before the api put it there, or it is a replay.
-- KEYS: the lengths index, the checks index. ARGV: base, order key, job id, now, check interval (ms).
-- Returns { 1 or 0, then the ms at the head of each finished head it dropped }.
local base, key, jobId, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
enter(base, key, jobId, KEYS[1], KEYS[2], now, tonumber(ARGV[5]))
local dropped = {}
local go = 0
if settleHead(base, key, KEYS[1], KEYS[2], now, dropped) == jobId and not isPaused(base, key) then
  rcall('HDEL', stateKey(base, key), jobId)
  go = 1
else
  rcall('HSET', stateKey(base, key), jobId, 'parking')
end
table.insert(dropped, 1, go)
return dropped
