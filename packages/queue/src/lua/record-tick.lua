-- The last requests of a schedule, newest first; a tick run twice is listed once.
-- KEYS: the schedule's ticks. ARGV: the tick's request id, how many to keep.
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
