-- Sets a key's own limits (QStash flow control). KEYS: the key's parts, the index, the
-- register of keys with limits. ARGV: what ('incoming': a message's, but for the parts
-- pinned; 'pin'; 'unpin'; 'reset': the rate's period starts again), the flow key, idle time to
-- live (ms), how many keys may hold limits, the operator's concurrency and rate interval (ms)
-- for the key, then for 'incoming' and 'pin' concurrency, rate and period (ms) ('' leaves a
-- pin's part alone), for 'unpin' '1' or '' for the concurrency and the rate.
-- Returns {'full'} when no more keys may hold limits, else {'ok', ids to wake...}.
local K = declared(1)
local index, limited = KEYS[#PARTS + 1], KEYS[#PARTS + 2]
local what, key, idle = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = clock()
if (what == 'incoming' or what == 'pin') and not room(K, limited, key, tonumber(ARGV[4])) then return {'full'} end
local function restart() rcall('HDEL', K.state, 'tat', 'pstart', 'pcount') end
if what == 'incoming' then
  incoming(K, ARGV[7], ARGV[8], ARGV[9])
elseif what == 'pin' then
  if ARGV[7] ~= '' then rcall('HSET', K.limits, 'conc', ARGV[7], 'pinc', '1') end
  if ARGV[8] ~= '' then
    rcall('HSET', K.limits, 'rate', ARGV[8], 'period', ARGV[9], 'pinr', '1')
    restart()
  end
elseif what == 'unpin' then
  if ARGV[7] == '1' then rcall('HDEL', K.limits, 'pinc') end
  if ARGV[8] == '1' then rcall('HDEL', K.limits, 'pinr') end
else
  restart()
end
kept(K, limited, key, now, idle)
-- Applied at once: a raised limit lets waiting jobs go now, not at the next attempt.
local conc, iv = effective(K, tonumber(ARGV[5]), tonumber(ARGV[6]))
rcall('HSET', K.state, 'conc', conc, 'iv', iv)
local lock = lockOf(K)
local out = {'ok'}
for _, w in ipairs(pump(K, now, lock, 200)) do out[#out + 1] = w end
settle(K, index, key, now, lock, idle, true)
return out
