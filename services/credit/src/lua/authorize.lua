-- authorize: CCR-INITIAL. Idempotent by call id; one atomic step from account checks to reservation.
local cid, acct, rid, now = ARGV[2], ARGV[3], ARGV[4], num(ARGV[5])
local ppm, a, b, fee, req = num(ARGV[6]), num(ARGV[7]), num(ARGV[8]), num(ARGV[9]), num(ARGV[10])
local zone, day, minute, month = ARGV[11], ARGV[12], ARGV[13], ARGV[14]
local autocreate, maxCallS, adCap, ratio = ARGV[15], num(ARGV[16]), num(ARGV[17]), num(ARGV[18])
local setupS, graceS, callTtl = num(ARGV[19]), num(ARGV[20]), num(ARGV[21])
local ck, ak = ckey(cid), akey(acct)

-- a retried authorize returns the same reservation
local prev = redis.call('HMGET', ck, 'rid', 'gs', 'res', 'kind', 'fin', 'acct')
if prev[1] then
  local pa = hgetall(akey(prev[6]))
  return {1, prev[1], num(prev[2]), num(prev[3]), avail(pa), num(prev[5]), prev[4], 1}
end

if redis.call('EXISTS', ak) == 0 then
  if autocreate ~= '1' then return {0, 'UNKNOWN_ACCOUNT', '', ''} end
  -- postpaid call-by-call: the CLI-derived account is created on first use
  redis.call('HSET', ak, 'kind', 'postpaid', 'status', 'active', 'bal', 0, 'res', 0, 'created', now,
    'maxc', ARGV[22], 'cpm', ARGV[23], 'dcap', ARGV[24], 'auto', 1)
end
local A = hgetall(ak)
if A.kind == 'adfunded' and num(A.exp) <= now then return {0, 'SESSION_EXPIRED', '', A.kind} end
if A.status == 'blocked' then return {0, 'ACCOUNT_BLOCKED', A.block_reason or '', A.kind} end

-- velocity: every new attempt counts (000 §5.7: automated dialing is forbidden)
local vk = ak .. ':v:' .. minute
local attempts = redis.call('INCR', vk)
if attempts == 1 then redis.call('EXPIRE', vk, 120) end
if attempts > num(A.cpm) then return {0, 'LIMIT_EXCEEDED', 'velocity', A.kind} end

reap(acct, now)
local rz = ak .. ':rz'
if redis.call('ZCARD', rz) >= num(A.maxc) then return {0, 'LIMIT_EXCEEDED', 'concurrency', A.kind} end
A.res = redis.call('HGET', ak, 'res')

local hard = maxCallS
if A.kind == 'adfunded' then hard = math.min(hard, adCap) end
local cap = hard
if req > 0 then cap = math.min(hard, math.max(req, a)) end

local d, cost, free, why = 0, 0, '', 'NO_CREDIT'
local dmax = 0
if A.kind == 'adfunded' then
  if ratio <= 0 then return {0, 'DESTINATION_NOT_ALLOWED', 'adfunded', A.kind} end
  dmax = math.floor((num(A.bal) - num(A.res)) * ratio / 1000)
  d = align(math.min(dmax, cap), a, b)
  cost = math.ceil(d * 1000 / ratio)
else
  -- free-minute buckets first (001 §5.2.3), zone filter and monthly cap
  local buckets, F = {}, 0
  for _, bid in ipairs(split(A.buckets, ',')) do
    local bk = ak .. ':fb:' .. bid
    local f = redis.call('HMGET', bk, 'zones', 'left', 'cap', 'm:' .. month)
    local zones = f[1] or ''
    if zones == '*' or string.find(',' .. zones .. ',', ',' .. zone .. ',', 1, true) then
      local av = num(f[2])
      if num(f[3]) > 0 then av = math.min(av, num(f[3]) - num(f[4])) end
      if av > 0 then buckets[#buckets + 1] = {bid, av}; F = F + av end
    end
  end
  local daySpent = num(redis.call('GET', ak .. ':d:' .. day))
  local M
  M, why = moneyLimit(A, daySpent, 0)
  dmax = F + paidSeconds(M, ppm, fee)
  d = align(math.min(dmax, cap), a, b)
  local Fuse = math.min(F, d)
  cost = mcost(d, Fuse, ppm, fee)
  while d > 0 and cost > M do -- never above what the account can pay, whatever the float rounding
    d = d - ((d > a) and b or a)
    Fuse = math.min(F, d)
    cost = mcost(d, Fuse, ppm, fee)
  end
  if d > 0 then
    local parts, left = {}, Fuse
    for _, bk in ipairs(buckets) do
      if left <= 0 then break end
      local take = math.min(left, bk[2])
      left = left - take
      redis.call('HINCRBY', ak .. ':fb:' .. bk[1], 'left', -take)
      redis.call('HINCRBY', ak .. ':fb:' .. bk[1], 'm:' .. month, take)
      parts[#parts + 1] = bk[1] .. ':' .. take
    end
    free = table.concat(parts, ',')
  end
end
if d <= 0 then return {0, why, 'balance', A.kind} end

local final = 0
if d >= hard or dmax < cap then final = 1 end
local exp = now + (setupS + d + graceS) * 1000
redis.call('HINCRBY', ak, 'res', cost)
redis.call('ZADD', rz, exp, cid)
if A.kind == 'adfunded' then redis.call('PEXPIREAT', rz, num(A.exp) + 60000) end
redis.call('HSET', ck, 'state', 'reserved', 'acct', acct, 'rid', rid, 'kind', A.kind, 'res', cost,
  'free', free, 'fmon', month, 'gs', d, 'fin', final, 'ppm', ppm, 'a', a, 'b', b, 'fee', fee,
  'r', ratio, 'zone', zone, 'at', now, 'exp', exp)
redis.call('EXPIRE', ck, callTtl)
A.res = num(A.res) + cost
return {1, rid, d, cost, avail(A), final, A.kind, 0}
