-- The api, once a request with Knocker-Order-Key is stored: puts it at the back of its line
-- (a worker that took it first put it there already).
-- KEYS: the lengths index, the checks index. ARGV: base, order key, job id, now, the sweep's
-- check interval (ms). Returns 1 when it was added, 0 when it was in the line.
return enter(ARGV[1], ARGV[2], ARGV[3], KEYS[1], KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5])) and 1 or 0
