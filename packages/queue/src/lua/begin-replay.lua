-- Counts replays only while the job is failed (and not cancelled): the count is then settled
-- before the job is back in the queue, so every attempt of one run reads the same number.
-- KEYS: the job's hash, failed. ARGV: job id, the failed reason of a cancelled request, the
-- replay count's field. Returns the new count, -1 (unknown), -2 (not failed), -3 (cancelled).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -2 end
if redis.call('HGET', KEYS[1], 'failedReason') == ARGV[2] then return -3 end
return redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
