-- Shared prelude of every credit script (prepended by store.ts). Keys are derived from the prefix
-- in ARGV[1]: standalone or Sentinel-managed Redis (not Cluster). All money is integer micro-euro;
-- ad-funded sessions count "ad-ms" (milliseconds of ad watched).
local P = ARGV[1]
local function akey(id) return P .. 'a:' .. id end
local function ckey(cid) return P .. 'c:' .. cid end
local function num(v) return tonumber(v) or 0 end
local INF = 1e15

local function split(s, sep)
  local out = {}
  if not s or s == '' then return out end
  for p in string.gmatch(s, '[^' .. sep .. ']+') do out[#out + 1] = p end
  return out
end

-- whole increments a/b (DOMAIN.md §6): the longest billable duration not above x
local function align(x, a, b)
  if x < a then return 0 end
  if b <= 0 or x >= INF then return a end
  return a + math.floor((x - a) / b) * b
end

-- money for an increment-aligned duration d of which F seconds are free minutes
local function mcost(d, F, ppm, fee)
  local paid = d - F
  if paid <= 0 then return 0 end
  return fee + math.ceil(paid * ppm / 60)
end

-- paid seconds that M micro-euro buy (largest P with fee + ceil(P*ppm/60) <= M)
local function paidSeconds(M, ppm, fee)
  if M >= INF then return INF end
  if M < fee or M <= 0 then return 0 end
  if ppm <= 0 then return INF end
  return math.floor((M - fee) * 60 / ppm)
end

local function hgetall(k)
  local flat = redis.call('HGETALL', k)
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h
end

-- gives free seconds back to their buckets ("bid:secs,bid:secs"), skipping the first `keep` seconds
local function refundFree(acct, free, month, keep)
  local ak = akey(acct)
  for _, pair in ipairs(split(free, ',')) do
    local bid, secs = string.match(pair, '^(.-):(%d+)$')
    secs = num(secs)
    local used = math.min(secs, keep)
    keep = keep - used
    local back = secs - used
    if back > 0 and redis.call('EXISTS', ak .. ':fb:' .. bid) == 1 then
      redis.call('HINCRBY', ak .. ':fb:' .. bid, 'left', back)
      redis.call('HINCRBY', ak .. ':fb:' .. bid, 'm:' .. month, -back)
    end
  end
end

local function freeTotal(free)
  local t = 0
  for _, pair in ipairs(split(free, ',')) do t = t + num(string.match(pair, ':(%d+)$')) end
  return t
end

-- reclaims reservations whose validity has passed (a crashed caller never commits)
local function reap(acct, now)
  local ak = akey(acct)
  local rz = ak .. ':rz'
  local gone = redis.call('ZRANGEBYSCORE', rz, '-inf', now)
  for _, cid in ipairs(gone) do
    local ck = ckey(cid)
    local r = redis.call('HMGET', ck, 'state', 'res', 'free', 'fmon')
    if r[1] == 'reserved' then
      redis.call('HINCRBY', ak, 'res', -num(r[2]))
      refundFree(acct, r[3], r[4], 0)
      redis.call('HSET', ck, 'state', 'expired')
    end
    redis.call('ZREM', rz, cid)
  end
  if #gone > 0 then redis.call('HINCRBY', ak, 'expired', #gone) end
  return #gone
end

-- spendable money of an account under its balance (prepaid) and daily cap; and which one binds
local function moneyLimit(a, daySpent, extra)
  local M, why = INF, 'NO_CREDIT'
  if a.kind == 'prepaid' then M = num(a.bal) - num(a.res) + extra end
  local dcap = num(a.dcap)
  if dcap > 0 then
    local Md = dcap - daySpent - num(a.res) + extra
    if Md < M then M, why = Md, 'LIMIT_EXCEEDED' end
  end
  return M, why
end

local function avail(a)
  if a.kind == 'prepaid' then return num(a.bal) - num(a.res) end
  return 0
end
