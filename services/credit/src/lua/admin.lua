-- account administration, each operation atomic and audited (001 §12.2: blocking with reason).
local op, id, now, entry = ARGV[2], ARGV[3], num(ARGV[4]), ARGV[5]
local ak = akey(id)
local function audit() redis.call('LPUSH', ak .. ':log', entry); redis.call('LTRIM', ak .. ':log', 0, 999) end
local exists = redis.call('EXISTS', ak) == 1

if op == 'create' or op == 'upsert' then
  local spec = cjson.decode(ARGV[6])
  if exists and op == 'create' then return {-1, 'ACCOUNT_EXISTS'} end
  if not exists then
    redis.call('HSET', ak, 'kind', spec.kind, 'status', 'active', 'bal', spec.balance, 'res', 0, 'created', now)
    if spec.pin ~= '' then redis.call('SET', P .. 'pin:' .. spec.pin, id) end
  end
  redis.call('HSET', ak, 'maxc', spec.maxc, 'cpm', spec.cpm, 'dcap', spec.dcap)
  local ids = {}
  for _, bk in ipairs(spec.buckets) do
    local k = ak .. ':fb:' .. bk.id
    if redis.call('EXISTS', k) == 0 then redis.call('HSET', k, 'left', bk.left) end
    redis.call('HSET', k, 'zones', bk.zones, 'cap', bk.cap)
    ids[#ids + 1] = bk.id
  end
  for _, old in ipairs(split(redis.call('HGET', ak, 'buckets'), ',')) do
    local keep = false
    for _, n in ipairs(ids) do if n == old then keep = true end end
    if not keep then ids[#ids + 1] = old end
  end
  redis.call('HSET', ak, 'buckets', table.concat(ids, ','))
  audit()
  if exists then return {2, num(redis.call('HGET', ak, 'bal'))} end
  return {1, num(spec.balance)}
end

if not exists then return {-1, 'UNKNOWN_ACCOUNT'} end
local kind = redis.call('HGET', ak, 'kind')

if op == 'topup' then
  local amount, cap = num(ARGV[6]), num(ARGV[7])
  if kind ~= 'prepaid' then return {-1, 'NOT_PREPAID'} end
  local bal = num(redis.call('HGET', ak, 'bal'))
  -- 002 §5.1: the balance can be topped up to at most the cap
  if bal + amount > cap then return {-1, 'TOPUP_CAP_EXCEEDED', bal} end
  local nb = redis.call('HINCRBY', ak, 'bal', amount)
  if bal < 0 and nb >= 0 then redis.call('HSET', ak, 'negs_settled_at', now) end
  audit()
  return {1, nb}
end

if op == 'block' then
  redis.call('HSET', ak, 'status', 'blocked', 'block_reason', ARGV[6])
  audit()
  return {1, 0}
end

if op == 'unblock' then
  local was = redis.call('HGET', ak, 'status')
  redis.call('HSET', ak, 'status', 'active', 'block_reason', '')
  if redis.call('HGET', ak, 'spike') then redis.call('HSET', ak, 'spike_cleared_at', now) end
  audit()
  if was ~= 'blocked' then return {2, 0} end
  return {1, 0}
end
return {-1, 'BAD_OP'}
