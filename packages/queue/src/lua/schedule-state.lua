-- Pausing and resuming only ever apply to a schedule that exists.
-- KEYS: definitions, paused. ARGV: id, 'paused' or 'active'. Returns 1, or 0 when unknown.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] == 'paused' then redis.call('HSET', KEYS[2], ARGV[1], 'paused') else redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
