-- commit: CCR-TERMINATION. Debits the billed amount once per call id; a repeat changes nothing.
local cid, rid, now, billed, amount = ARGV[2], ARGV[3], num(ARGV[4]), num(ARGV[5]), num(ARGV[6])
local day, month, m1, m2, m3 = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local spikeFactor, spikeMin, spikeAction = num(ARGV[12]), num(ARGV[13]), ARGV[14]
local ck = ckey(cid)
local C = hgetall(ck)
if not C.state then return {-1, 'UNKNOWN_RESERVATION'} end
if rid ~= '' and rid ~= C.rid then return {-1, 'RESERVATION_MISMATCH'} end
if C.state == 'committed' or C.state == 'released' then
  return {2, C.state, num(C.deb), num(C.bal), 0, 0, num(C.amt)}
end
local acct = C.acct
local ak = akey(acct)
local exists = redis.call('EXISTS', ak) == 1
local late = C.state ~= 'reserved'
local fu = 0
if not late then
  if exists then redis.call('HINCRBY', ak, 'res', -num(C.res)) end
  redis.call('ZREM', ak .. ':rz', cid)
  fu = math.min(billed, freeTotal(C.free))
  refundFree(acct, C.free, C.fmon, fu)
end

local deb, neg, spike = 0, 0, 0
if C.kind == 'adfunded' then
  local ratio = num(C.r)
  local adms = 0
  if ratio > 0 then adms = math.ceil(billed * 1000 / ratio) end
  if exists and adms > 0 then
    local bal = num(redis.call('HGET', ak, 'bal'))
    redis.call('HSET', ak, 'bal', math.max(0, bal - adms))
  end
  redis.call('HSET', ck, 'adms', adms)
else
  deb = amount
  if fu > 0 then
    if fu >= billed then deb = 0 else deb = math.max(0, amount - math.floor(fu * num(C.ppm) / 60)) end
  end
  if exists and C.kind == 'prepaid' and deb > 0 then
    local nb = redis.call('HINCRBY', ak, 'bal', -deb)
    if nb < 0 then
      -- 002 §5.4: a negative balance is recorded and must be settled
      neg = 1
      redis.call('HINCRBY', ak, 'negs', 1)
      redis.call('LPUSH', ak .. ':neg', cid .. '|' .. deb .. '|' .. nb .. '|' .. now)
      redis.call('LTRIM', ak .. ':neg', 0, 999)
    end
  end
  if exists and deb > 0 then
    local dk, mk = ak .. ':d:' .. day, ak .. ':m:' .. month
    redis.call('INCRBY', dk, deb)
    redis.call('EXPIRE', dk, 3 * 86400)
    local usage = redis.call('INCRBY', mk, deb)
    redis.call('EXPIRE', mk, 130 * 86400)
    -- 001 §4.1.4 c: usage far above the average of the three previous months
    local prev = redis.call('MGET', ak .. ':m:' .. m1, ak .. ':m:' .. m2, ak .. ':m:' .. m3)
    local avg = (num(prev[1]) + num(prev[2]) + num(prev[3])) / 3
    if avg > 0 and usage >= spikeMin and usage > spikeFactor * avg and redis.call('HGET', ak, 'spike') ~= month then
      spike = 1
      redis.call('HSET', ak, 'spike', month, 'spike_usage', usage, 'spike_avg', math.floor(avg), 'spike_at', now)
      local entry = '{"at":' .. now .. ',"action":"spike","usage":' .. usage .. ',"avg":' .. math.floor(avg) .. '}'
      if spikeAction == 'block' then
        redis.call('HSET', ak, 'status', 'blocked', 'block_reason', 'SPIKE')
        entry = '{"at":' .. now .. ',"action":"block","reason":"SPIKE","by":"credit","usage":' .. usage .. '}'
      end
      redis.call('LPUSH', ak .. ':log', entry)
      redis.call('LTRIM', ak .. ':log', 0, 999)
    end
  end
end
local A = hgetall(ak)
local bal = avail(A)
redis.call('HSET', ck, 'state', 'committed', 'bs', billed, 'amt', amount, 'deb', deb, 'bal', bal, 'fu', fu, 'cat', now)
local resv = num(C.res)
if late then resv = -1 end
return {1, 'committed', deb, bal, neg, spike, resv}
