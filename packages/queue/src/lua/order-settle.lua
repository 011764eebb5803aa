-- After a worker moved a job that must wait its turn to the delayed set. KEYS: the line's
-- state. ARGV: job id. 1: asleep until woken; 0: its turn came meanwhile, promote it.
local mark = redis.call('HGET', KEYS[1], ARGV[1])
if mark == 'parking' then
  redis.call('HSET', KEYS[1], ARGV[1], 'asleep')
  return 1
end
redis.call('HDEL', KEYS[1], ARGV[1])
return 0
