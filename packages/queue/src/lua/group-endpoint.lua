-- Sets (url given) or removes (url empty) one endpoint of a group, in place. Setting creates
-- the group when it is missing. KEYS: definitions. ARGV: group, endpoint, url, most groups,
-- most endpoints, now (ms). Returns 1 added or removed, 2 replaced, 0 groups full,
-- -1 endpoints full, -2 no such group, -3 no such endpoint.
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local url = ARGV[3]
if not raw then
  if url == '' then return -2 end
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
end
local now = tonumber(ARGV[6])
local def = raw and cjson.decode(raw) or { name = ARGV[1], endpoints = {}, createdAt = now }
-- cjson writes an empty array as {}: read either as the list it is.
local endpoints = def.endpoints or {}
local at = nil
for i, e in ipairs(endpoints) do
  if e.name == ARGV[2] then at = i end
end
local outcome
if url == '' then
  if not at then return -3 end
  table.remove(endpoints, at)
  outcome = 1
elseif at then
  endpoints[at].url = url
  outcome = 2
else
  if #endpoints >= tonumber(ARGV[5]) then return -1 end
  endpoints[#endpoints + 1] = { name = ARGV[2], url = url }
  outcome = 1
end
def.endpoints = endpoints
def.updatedAt = now
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(def))
return outcome
