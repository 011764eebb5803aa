-- claim-id.lua for the copies of a group request: the indexes (1-based) of the copies stored
-- already if there are any; else a claim on the group request's id for the caller (1), unless
-- another caller holds it (0). KEYS: the claim, then each copy's job hash. ARGV: how long the
-- claim holds (ms).
local found = {}
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then found[#found + 1] = i - 1 end
end
if #found > 0 then return found end
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0
