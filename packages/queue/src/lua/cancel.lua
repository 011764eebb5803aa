-- Takes the job out of the waiting list or the delayed set and files it with the failed jobs,
-- in one script: BullMQ moves jobs to active in a script too, so either this finds the job
-- still waiting and no worker will ever get it, or a worker has it and this changes nothing.
-- A job of an order line leaves it in the same step, and the next in line is woken.
-- KEYS: the job's hash, wait, paused, delayed, prioritized, failed, events, the order
-- lengths index, the order checks index.
-- ARGV: job id, now (ms), the failed reason of a cancelled request, the queue's base.
-- Returns where it was taken from ('waiting', 'delayed'), 'unknown' or 'busy'.
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
local from
if redis.call('LREM', KEYS[2], 0, ARGV[1]) > 0 or redis.call('LREM', KEYS[3], 0, ARGV[1]) > 0
  or redis.call('ZREM', KEYS[5], ARGV[1]) > 0 then
  from = 'waiting'
elseif redis.call('ZREM', KEYS[4], ARGV[1]) > 0 then
  from = 'delayed'
else
  return 'busy'
end
redis.call('ZADD', KEYS[6], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[1], 'finishedOn', ARGV[2], 'failedReason', ARGV[3])
redis.call('XADD', KEYS[7], 'MAXLEN', '~', 10000, '*', 'event', 'failed', 'jobId', ARGV[1], 'failedReason', ARGV[3], 'prev', from)
-- An order key has no quote or backslash, and JSON escapes every quote inside a string, so
-- the first unescaped `"orderKey":"` is the field itself.
local orderKey = string.match(redis.call('HGET', KEYS[1], 'data') or '', '"orderKey":"([^"]+)"')
if orderKey then leave(ARGV[4], orderKey, ARGV[1], KEYS[8], KEYS[9], tonumber(ARGV[2])) end
return from
