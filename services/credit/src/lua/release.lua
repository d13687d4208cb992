-- release: the call was never answered; the whole reservation goes back. Idempotent.
local cid, rid, now, reason = ARGV[2], ARGV[3], num(ARGV[4]), ARGV[5]
local ck = ckey(cid)
local C = hgetall(ck)
-- No record for the call: nothing is held for it (never reserved here, or a released/committed
-- record already past its TTL). A release only promises that nothing stays held, so this is a
-- duplicate, not an error: at-least-once callers (agent, CDR assembler) may release at any time.
if not C.state then return {2, 'none', 0, 0} end
if rid ~= '' and rid ~= C.rid then return {-1, 'RESERVATION_MISMATCH'} end
if C.state == 'committed' or C.state == 'released' then
  return {2, C.state, num(C.deb), num(C.bal)}
end
local ak = akey(C.acct)
if C.state == 'reserved' then
  if redis.call('EXISTS', ak) == 1 then redis.call('HINCRBY', ak, 'res', -num(C.res)) end
  redis.call('ZREM', ak .. ':rz', cid)
  refundFree(C.acct, C.free, C.fmon, 0)
end
local bal = avail(hgetall(ak))
redis.call('HSET', ck, 'state', 'released', 'deb', 0, 'bal', bal, 'why', reason, 'cat', now)
return {1, 'released', 0, bal}
