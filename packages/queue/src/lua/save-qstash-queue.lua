-- Writes a QStash queue's definition, keeping the number of queues within the bound. Modes:
-- 'upsert' adds or updates it (an update keeps the creation time); 'ensure' adds it only when
-- missing (an enqueue to a queue nobody made); 'touch' only sets `updatedAt` of an existing
-- one (a pause or a resume). KEYS: definitions. ARGV: name, definition (JSON), most queues,
-- mode, now. Returns 1 added, 2 updated, 3 left as it was, 4 missing (touch), or 0 full.
local old = redis.call('HGET', KEYS[1], ARGV[1])
local mode = ARGV[4]
if mode == 'touch' then
  if not old then return 4 end
  local def = cjson.decode(old)
  def.updatedAt = tonumber(ARGV[5])
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(def))
  return 2
end
if old and mode == 'ensure' then return 3 end
if not old and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local def = cjson.decode(ARGV[2])
if old then def.createdAt = cjson.decode(old).createdAt end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(def))
return old and 2 or 1
