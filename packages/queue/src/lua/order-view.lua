-- The admin view of one line. KEYS: the line, its state. Returns the head's job id (or
-- false), when it became head, and the line's length.
return { redis.call('LINDEX', KEYS[1], 0), redis.call('HGET', KEYS[2], 'since'), redis.call('LLEN', KEYS[1]) }
