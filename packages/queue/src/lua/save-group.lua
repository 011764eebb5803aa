-- Adds or replaces a group's definition, keeping the number of groups within the bound; a
-- replaced group keeps its creation time. KEYS: definitions. ARGV: name, definition (JSON),
-- most groups. Returns 1 added, 2 replaced or 0 full.
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local def = cjson.decode(ARGV[2])
if old then def.createdAt = cjson.decode(old).createdAt end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(def))
return old and 2 or 1
