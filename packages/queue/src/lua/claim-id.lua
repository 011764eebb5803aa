-- The stored request if there is one; else a claim on the id for the caller (1), unless
-- another caller holds it (0): that one is adding the request right now.
-- KEYS: the job's hash, the claim. ARGV: how long the claim holds (ms).
local stored = redis.call('HGET', KEYS[1], 'data')
if stored then return stored end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0
