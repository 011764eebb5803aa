-- What GET /v2/flowControl/<key> shows. KEYS: the key's parts. Returns {now, in flight,
-- waiting, state fields, limits fields (name/value pairs, flattened)}, or {} for a key
-- flow control knows nothing of.
local K = declared(1)
local st, l = rcall('HGETALL', K.state), rcall('HGETALL', K.limits)
if #st == 0 and #l == 0 then return {} end
return {clock(), rcall('ZCARD', K.held), rcall('ZCARD', K.wait), st, l}
