-- Adds or updates a QStash queue's definition, keeping the number of queues within the bound;
-- an update keeps the creation time. With ARGV[4] = 'ensure' an existing queue is left as it
-- is (an enqueue to a queue nobody made creates it). KEYS: definitions. ARGV: name, definition
-- (JSON), most queues, mode. Returns 1 added, 2 updated, 3 left as it was, or 0 full.
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and ARGV[4] == 'ensure' then return 3 end
if not old and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local def = cjson.decode(ARGV[2])
if old then def.createdAt = cjson.decode(old).createdAt end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(def))
return old and 2 or 1
