-- A worker, once an ordered job is delivered or finally failed: takes it out of its line and
-- wakes the next. KEYS: the lengths index, the checks index. ARGV: base, order key, job id, now.
-- Returns the ms the job spent at the head, -1 or -2 (see leave).
return leave(ARGV[1], ARGV[2], ARGV[3], KEYS[1], KEYS[2], tonumber(ARGV[4]))
