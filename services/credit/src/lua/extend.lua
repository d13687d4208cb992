-- extend: CCR-UPDATE. Grants the next slice of the same call, or says the current grant is final.
local cid, rid, now, used, req = ARGV[2], ARGV[3], num(ARGV[4]), num(ARGV[5]), num(ARGV[6])
local maxCallS, adCap, graceS, day = num(ARGV[7]), num(ARGV[8]), num(ARGV[9]), ARGV[10]
local ck = ckey(cid)
local C = hgetall(ck)
if not C.state then return {-1, 'UNKNOWN_RESERVATION'} end
if rid ~= '' and rid ~= C.rid then return {-1, 'RESERVATION_MISMATCH'} end
local acct = C.acct
local ak = akey(acct)
reap(acct, now)
C.state = redis.call('HGET', ck, 'state')
if C.state ~= 'reserved' then return {0, 'RESERVATION_CLOSED', C.state} end
local A = hgetall(ak)
if not A.kind then return {1, C.rid, num(C.gs), num(C.res), 0, 1, C.kind} end
local D, myres, a, b = num(C.gs), num(C.res), num(C.a), num(C.b)
local hard = maxCallS
if C.kind == 'adfunded' then hard = math.min(hard, adCap) end
local target = hard
if req > 0 then target = math.min(hard, D + math.max(req, b)) end

local d, cost, dmax = D, myres, D
if target > D then
  if C.kind == 'adfunded' then
    local ratio = num(C.r)
    dmax = math.floor((num(A.bal) - num(A.res) + myres) * ratio / 1000)
    d = align(math.min(dmax, target), a, b)
    if d > D then cost = math.ceil(d * 1000 / ratio) end
  else
    local F = freeTotal(C.free)
    local M = moneyLimit(A, num(redis.call('GET', ak .. ':d:' .. day)), myres)
    local ppm, fee = num(C.ppm), num(C.fee)
    dmax = F + paidSeconds(M, ppm, fee)
    d = align(math.min(dmax, target), a, b)
    cost = mcost(d, F, ppm, fee)
    while d > D and cost > M do
      d = d - b
      cost = mcost(d, F, ppm, fee)
    end
    if d <= D then d, cost = D, myres end
  end
end
if d < D then d, cost = D, myres end
local final = 0
if d >= hard or dmax < target or target <= D then final = 1 end
if cost ~= myres then redis.call('HINCRBY', ak, 'res', cost - myres) end
local exp = math.max(num(C.exp), now + (math.max(d - used, 0) + graceS) * 1000)
redis.call('ZADD', ak .. ':rz', exp, cid)
redis.call('HSET', ck, 'res', cost, 'gs', d, 'fin', final, 'exp', exp, 'used', used)
A.res = num(A.res) + cost - myres
return {1, C.rid, d, cost, avail(A), final, C.kind}
