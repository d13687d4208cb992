// The callback rows of the end-to-end table (seed 000 §3.3): a request on the callback subject,
// leg a to the caller, leg b to the destination, one CDR with both legs under one call_id.
import { pb, request } from "@callctl/core";
import type { Test } from "tap";
import type { Ctx } from "./scenarios.ts";

const num = (v: unknown) => Number(v ?? 0);
const ANSWER = { kind: "answer", afterMs: 1500 } as const;
let callerSeq = 0;

export async function callbackRows(t: Test, c: Ctx): Promise<void> {
  const { stack } = c;
  const ask = (req: Record<string, unknown>) => request(stack.nc, stack.subjects.callback, pb.CallbackRequest, req, pb.CallbackReply, { timeoutMs: 5000 });

  await t.test("callback: leg a to the caller, leg b to the destination, one accounted call", async (t) => {
    for (const gw of ["gw-dtag-ic", "gw-colt-eu", "gw-bics-world"]) c.sim.setTrunk(gw, ANSWER);
    const before = await stack.balance("prepaid:1001");
    const reply = await ask({ caller: "4930111020", destination: "0043664123456", product: "callback", accountId: "prepaid:1001", maxDurationS: 120 });
    t.match(reply, { accepted: true, maxDurationS: 120 });
    const callId = reply.callId ?? "";
    const b = await stack.endedOf((s) => s.info.callId === callId && s.info.leg === "b");
    t.equal(b.hangupBy, "limit", "capped at the requested 120 s");
    t.equal(b.endMs - b.billableStartMs, 120_000);
    t.same(b.attempts.map((a) => a.gateway), ["gw-colt-eu"], "leg b to the destination's trunk");
    const cdr = await stack.cdr(callId);
    t.same(cdr.legs?.map((l) => [l.leg, num(l.billedS)]), [["a", 120], ["b", 120]], "both legs billed for the connected time");
    t.match(cdr, { product: "callback", accountId: "prepaid:1001", disposition: pb.Disposition.ANSWERED_CALL, settlement: "COMMITTED" });
    t.equal(num(cdr.amountMicro), num(cdr.legs?.[0]?.amountMicro) + num(cdr.legs?.[1]?.amountMicro));
    t.equal(await stack.balance("prepaid:1001"), before - num(cdr.amountMicro), "one debit for both legs");
    t.same(await ask({ callId, caller: "4930111020", destination: "0043664123456", accountId: "prepaid:1001" }), reply, "a retried request places no second call");
  });

  await t.test("callback with ad-funded session time: granted from the watched ads, capped at 10 min (000 §3.3, §5.3)", async (t) => {
    for (const gw of ["gw-dtag-ic", "gw-colt-eu", "gw-bics-world"]) c.sim.setTrunk(gw, ANSWER);
    // 5 ad minutes buy 15 talk minutes to an EU mobile (accounts.yaml adfunded.zones EU_MOBILE: 3),
    // more than one call may last: the call gets the 600 s cap, not the session's whole time.
    const session = `web-${callerSeq++}-${Date.now()}`;
    const grant = await stack.credit.admin.grantAdTime(session, 5, "EU_MOBILE");
    t.equal(grant.talkSecondsForZone, 600, "credit reports one call's cap as the talk time");
    const reply = await ask({ caller: "4930111030", destination: "0043664123456", product: "ad-funded", sessionId: session });
    if (!t.match(reply, { accepted: true, maxDurationS: 600 }, JSON.stringify(reply))) return;
    const callId = reply.callId ?? "";
    const b = await stack.endedOf((s) => s.info.callId === callId && s.info.leg === "b");
    t.equal(b.hangupBy, "limit", "ended by the 10-minute cap");
    t.equal(b.endMs - b.billableStartMs, 600_000);
    t.equal(b.info.sessionId, session, "the legs carry the web session");
    const cdr = await stack.cdr(callId);
    // Free to the caller (tariff callpartner-adfunded: free), so nothing is charged; how credit
    // settles a zero-amount reservation is credit's and cdr's business, not asserted here.
    t.match(cdr, { product: "ad-funded", accountId: `ad:${session}`, disposition: pb.Disposition.ANSWERED_CALL });
    t.same(cdr.legs?.map((l) => l.leg), ["a", "b"], "one record, both legs");
    t.equal(num(cdr.endMs) - num(cdr.billableStartMs), 600_000, "the record shows the capped 10 minutes");
    t.equal(num(cdr.amountMicro), 0, "nothing charged");
  });

  await t.test("callback: the caller is busy → no leg b, nothing billed", async (t) => {
    c.sim.setTrunk("gw-dtag-ic", { kind: "busy", afterMs: 200 });
    const reply = await ask({ caller: "4930111021", destination: "0043664123456", product: "callback", accountId: "prepaid:1001" });
    t.equal(reply.accepted, true);
    const cdr = await stack.cdr(reply.callId ?? "");
    t.match(cdr, { disposition: pb.Disposition.BUSY, settlement: "RELEASED" });
    t.equal(num(cdr.amountMicro), 0);
    t.equal(cdr.attempts?.length, 1, "busy is not failed over");
    c.sim.setTrunk("gw-dtag-ic", ANSWER);
  });

  await t.test("callback: refused while draining, hostile numbers refused", async (t) => {
    c.agent.drain();
    t.match(await ask({ caller: "4930111022", destination: "0043664123456", accountId: "prepaid:1001" }), { accepted: false, reject: { reason: "NODE_DRAINING", q850: 41 } });
    c.agent.undrain();
    t.match(await ask({ caller: "4930\n\napi echo", destination: "0043664123456", accountId: "prepaid:1001" }), { accepted: false, reject: { q850: 28 } });
  });
}
