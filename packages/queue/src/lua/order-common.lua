-- Shared by the order-line scripts (Knocker-Order-Key). A line is a list of job ids in the
-- order the api accepted them, the head first, and a hash: `since`, when the head became
-- head, and for each job put to sleep behind it how it sleeps: 'parking' (moving itself to
-- the delayed set), 'asleep', or 'woken' (its turn came while it was parking). Two zsets index
-- the lines of a shard: by length (the admin view, the gauges) and by when the sweep next
-- checks them. A set names the paused keys: a paused line keeps its jobs and takes new ones,
-- but its head is not attempted. `base` is the queue's `<shard>:deliveries`.
local rcall = redis.call

local function lineKey(base, key) return base .. ':knocker-order:' .. key end
local function stateKey(base, key) return base .. ':knocker-order:' .. key .. ':state' end
local function isPaused(base, key) return rcall('SISMEMBER', base .. ':knocker-order-paused', key) == 1 end

-- A job whose hash is gone (removed) or that finished (delivered, failed, cancelled) holds no
-- line any more, whether or not its worker lived to say so. Returns when it ended, if it did.
local function endedAt(base, jobId, now)
  local v = rcall('HMGET', base .. ':' .. jobId, 'timestamp', 'finishedOn')
  if not v[1] then return now end
  if v[2] and v[2] ~= '' then return tonumber(v[2]) or now end
  return nil
end

-- BullMQ's promote, to the front of `wait`: the head has waited its turn already.
local function promote(base, jobId)
  if rcall('ZREM', base .. ':delayed', jobId) == 0 then return false end
  rcall('RPUSH', base .. ':wait', jobId)
  if rcall('HEXISTS', base .. ':meta', 'paused') == 0 then rcall('ZADD', base .. ':marker', 0, '0') end
  rcall('XADD', base .. ':events', 'MAXLEN', '~', 10000, '*', 'event', 'waiting', 'jobId', jobId, 'prev', 'delayed')
  rcall('HSET', base .. ':' .. jobId, 'delay', 0)
  return true
end

-- Keeps the length index true; an empty line leaves no key behind.
local function recount(base, key, lengths, checks)
  local n = rcall('LLEN', lineKey(base, key))
  if n == 0 then
    rcall('DEL', stateKey(base, key))
    rcall('ZREM', lengths, key)
    rcall('ZREM', checks, key)
  else
    rcall('ZADD', lengths, n, key)
  end
  return n
end

-- Makes the first live job of the line its head: drops finished ones, wakes a sleeping one
-- unless the line is paused (resuming settles it again). Returns the head's id, or false when the line is empty. The ms each dropped head spent at
-- the head are appended to `dropped`, when given, for the caller's histogram.
local function settleHead(base, key, lengths, checks, now, dropped)
  local line, state = lineKey(base, key), stateKey(base, key)
  while true do
    local head = rcall('LINDEX', line, 0)
    if not head then
      recount(base, key, lengths, checks)
      return false
    end
    local ended = endedAt(base, head, now)
    if not ended then
      local mark = rcall('HGET', state, head)
      if mark and not isPaused(base, key) then
        if promote(base, head) then rcall('HDEL', state, head)
        elseif mark == 'parking' then rcall('HSET', state, head, 'woken') end
      end
      return head
    end
    if dropped then
      local since = tonumber(rcall('HGET', state, 'since')) or ended
      dropped[#dropped + 1] = math.max(0, ended - since)
    end
    rcall('LPOP', line)
    rcall('HDEL', state, head)
    rcall('HSET', state, 'since', now)
    recount(base, key, lengths, checks)
  end
end

-- Puts a job at the back of its line unless it is in it; true when it was added.
local function enter(base, key, jobId, lengths, checks, now, checkMs)
  local line = lineKey(base, key)
  if rcall('LPOS', line, jobId) then return false end
  if rcall('RPUSH', line, jobId) == 1 then
    rcall('HSET', stateKey(base, key), 'since', now)
    rcall('ZADD', checks, now + checkMs, key)
  end
  recount(base, key, lengths, checks)
  return true
end

-- Takes a job out of its line. Returns the ms it spent at the head, -1 when it was behind
-- the head, -2 when it was not in the line.
local function leave(base, key, jobId, lengths, checks, now)
  local line, state = lineKey(base, key), stateKey(base, key)
  if rcall('LINDEX', line, 0) == jobId then
    local since = tonumber(rcall('HGET', state, 'since')) or now
    rcall('LPOP', line)
    rcall('HDEL', state, jobId)
    rcall('HSET', state, 'since', now)
    recount(base, key, lengths, checks)
    settleHead(base, key, lengths, checks, now)
    return math.max(0, now - since)
  end
  if rcall('LREM', line, 0, jobId) == 0 then return -2 end
  rcall('HDEL', state, jobId)
  recount(base, key, lengths, checks)
  return -1
end
