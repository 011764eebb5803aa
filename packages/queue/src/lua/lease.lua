-- Takes the lease when free, renews it when ours. KEYS: the lease. ARGV: the holder's name,
-- how long the lease lasts (ms). Returns 1 while the caller holds it.
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] or not holder then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
