-- ad-funded talk time (000 §5.3): ad minutes watched in one web session, kept only with the session.
local sid, now, adms, ttlMs = ARGV[2], num(ARGV[3]), num(ARGV[4]), num(ARGV[5])
local maxc, cpm, op = ARGV[6], ARGV[7], ARGV[8]
local ak = akey('ad:' .. sid)
if op == 'end' then
  local n = redis.call('DEL', ak, ak .. ':rz')
  return {1, 0, 0, n}
end
local exp = now + ttlMs
if redis.call('EXISTS', ak) == 0 or num(redis.call('HGET', ak, 'exp')) <= now then
  redis.call('DEL', ak, ak .. ':rz')
  redis.call('HSET', ak, 'kind', 'adfunded', 'status', 'active', 'bal', 0, 'res', 0, 'created', now,
    'maxc', maxc, 'cpm', cpm, 'dcap', 0)
end
local bal = redis.call('HINCRBY', ak, 'bal', adms)
redis.call('HINCRBY', ak, 'admin_total', adms)
redis.call('HSET', ak, 'exp', exp)
redis.call('PEXPIREAT', ak, exp + 60000)
redis.call('PEXPIREAT', ak .. ':rz', exp + 60000)
return {1, bal, num(redis.call('HGET', ak, 'res')), exp}
