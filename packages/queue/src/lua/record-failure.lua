-- A failed attempt's record and its retry's place, in one step (the write the attempt needs anyway).
-- KEYS: the job's hash. ARGV: the job's data (JSON), the priority of retries.
-- BullMQ moves a job whose hash holds a priority above 0 to the prioritized set when it comes due,
-- and takes from that set only when no job waits in the plain list: first attempts go before
-- retries, so a backlog of retries coming due at once does not hold up new requests.
-- Returns 0 when the job is gone (cancelled meanwhile).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'priority', ARGV[2])
return 1
