-- Adds or replaces a definition, keeping the count within the bound; a replaced schedule keeps
-- its state and its creation time. KEYS: definitions, paused. ARGV: id, definition (JSON),
-- most schedules. Returns {1 added, 2 replaced or 0 full, its state}.
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return {0, ''} end
local def = cjson.decode(ARGV[2])
if old then def.createdAt = cjson.decode(old).createdAt end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(def))
return {old and 2 or 1, redis.call('HGET', KEYS[2], ARGV[1]) or 'active'}
