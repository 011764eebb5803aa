-- What GET /hosts shows, for up to ARGV[2] keys, those due soonest (the busiest) first.
-- KEYS: the index. ARGV: key name base. Returns {now, key, in flight, waiting, state fields
-- as name/value pairs (flattened), ...}.
local now = clock()
local out = {now}
for _, key in ipairs(rcall('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local K = keysOf(ARGV[1] .. key)
  local st = rcall('HGETALL', K.state)
  if #st > 0 then
    out[#out + 1] = key
    out[#out + 1] = rcall('ZCARD', K.held)
    out[#out + 1] = rcall('ZCARD', K.wait)
    out[#out + 1] = st
  end
end
return out
