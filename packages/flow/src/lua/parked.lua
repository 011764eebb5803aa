-- After moving a waiting job to sleep. KEYS: parking. 1: asleep; 0: granted meanwhile, wake it.
return redis.call('SREM', KEYS[1], ARGV[1])
