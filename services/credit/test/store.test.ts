// Prepaid reservations: max duration, idempotency, commit/release, expiry, extend, top-up cap.
import { pb } from "@callctl/core";
import t from "tap";
import { call, fixture } from "./helpers.ts";

const f = await fixture();
t.teardown(() => f.close());
const GRANT = pb.AuthOutcome.GRANT;
const DENY = pb.AuthOutcome.DENY;

t.test("max duration is what the balance buys, in whole increments (DOMAIN.md §6)", async (t) => {
  await f.admin.create({ id: "p1", kind: "prepaid", balance: "1.00" });
  // 1.00 € at 12 ct/min, 60/60: 8 whole minutes (0.96 €), never the 9th started minute
  const a = await f.store.authorize(call("c1", "p1"));
  t.equal(a.outcome, GRANT);
  t.equal(a.maxDurationS, 480);
  t.equal(a.reservedMicro, 960_000);
  t.equal(a.balanceMicro, 40_000, "available after the reservation");
  t.ok(a.final, "limited by the balance: final grant");
  t.equal(a.warnBeforeEndS, 60);
  // with a connect fee of 10 ct and 30/6 increments: (1.00 - 0.10) buys 450 s -> 30 + 70*6 = 450
  await f.admin.create({ id: "p1b", kind: "prepaid", balance: "1.00" });
  const b = await f.store.authorize(call("c1b", "p1b", { connectFeeMicro: 100_000, firstIncrementS: 30, nextIncrementS: 6 }));
  t.equal(b.maxDurationS, 450);
  t.equal(b.reservedMicro, 1_000_000);
});

t.test("a retried authorize returns the same reservation; commit is idempotent", async (t) => {
  await f.admin.create({ id: "p2", kind: "prepaid", balance: "5" });
  const a = await f.store.authorize(call("c2", "p2", { requestedS: 120 }));
  const again = await f.store.authorize(call("c2", "p2", { requestedS: 120 }));
  t.equal(again.reservationId, a.reservationId);
  t.equal(again.maxDurationS, 120);
  t.notOk(a.final, "limited by requested_s only: extendable");
  const c = await f.store.commit({ callId: "c2", reservationId: a.reservationId, billedS: 120, amountMicro: 240_000 });
  t.same([c.ok, c.debitedMicro, c.balanceMicro, c.duplicate], [true, 240_000, 4_760_000, false]);
  const d = await f.store.commit({ callId: "c2", reservationId: a.reservationId, billedS: 120, amountMicro: 240_000 });
  t.same([d.ok, d.debitedMicro, d.balanceMicro, d.duplicate], [true, 240_000, 4_760_000, true]);
  t.equal((await f.admin.show("p2")).balanceMicro, 4_760_000, "debited once");
  const wrong = await f.store.commit({ callId: "c2", reservationId: "nope", billedS: 1, amountMicro: 1 }).catch((e) => e);
  t.equal(wrong.code, "RESERVATION_MISMATCH");
  const unknown = await f.store.commit({ callId: "never", billedS: 1, amountMicro: 1 }).catch((e) => e);
  t.equal(unknown.code, "UNKNOWN_RESERVATION");
});

t.test("release returns the reservation; repeated release changes nothing", async (t) => {
  await f.admin.create({ id: "p3", kind: "prepaid", balance: "0.50" });
  const a = await f.store.authorize(call("c3", "p3"));
  t.equal(a.balanceMicro, 500_000 - 480_000);
  const r = await f.store.release({ callId: "c3", reservationId: a.reservationId, reason: "no answer" });
  t.same([r.ok, r.debitedMicro, r.balanceMicro, r.duplicate], [true, 0, 500_000, false]);
  const r2 = await f.store.release({ callId: "c3" });
  t.ok(r2.duplicate);
  const late = await f.store.commit({ callId: "c3", billedS: 60, amountMicro: 120_000 });
  t.equal(late.ok, false, "a commit after release debits nothing");
  t.equal(late.error?.code, "ALREADY_RELEASED");
  t.equal((await f.admin.show("p3")).balanceMicro, 500_000);
});

t.test("a release for a call credit holds nothing for is a duplicate, not an error (at-least-once settlement)", async (t) => {
  // the CDR assembler releases every unanswered or unbilled call; its record may be past its TTL
  // or never have existed (a redelivered event): the release's promise, nothing held, is kept.
  const r = await f.store.release({ callId: "never-reserved", reservationId: "r-gone", reason: "NO_ANSWER" });
  t.same([r.ok, r.duplicate, r.debitedMicro], [true, true, 0]);
  const again = await f.store.release({ callId: "never-reserved" });
  t.same([again.ok, again.duplicate], [true, true]);
  // a different reservation of the same call id is still refused: never release someone else's
  await f.admin.create({ id: "p3m", kind: "prepaid", balance: "1" });
  await f.store.authorize(call("c3m", "p3m"));
  const wrong = await f.store.release({ callId: "c3m", reservationId: "not-its-rid" }).catch((e) => e);
  t.equal(wrong.code, "RESERVATION_MISMATCH");
});

t.test("a crashed caller's reservation frees itself when its validity passes", async (t) => {
  await f.admin.create({ id: "p4", kind: "prepaid", balance: "1", limits: { maxConcurrent: 1 } });
  const a = await f.store.authorize(call("c4", "p4"));
  t.equal(a.outcome, GRANT);
  const busy = await f.store.authorize(call("c4b", "p4"));
  t.equal(busy.deny?.reason, "LIMIT_EXCEEDED");
  t.equal(busy.deny?.detail, "concurrency");
  f.clock.advance((120 + a.maxDurationS + 300) * 1000 + 1);
  const b = await f.store.authorize(call("c4c", "p4"));
  t.equal(b.outcome, GRANT, "expired reservation reclaimed");
  t.equal(b.maxDurationS, 480, "its money is available again");
  const ext = await f.store.extend({ callId: "c4", usedS: 10 });
  t.equal(ext.outcome, DENY, "an expired reservation cannot be extended");
  t.equal(ext.deny?.reason, "RESERVATION_CLOSED");
  // a late commit of the expired call still debits what the CDR billed
  const late = await f.store.commit({ callId: "c4", billedS: 60, amountMicro: 120_000 });
  t.equal(late.debitedMicro, 120_000);
});

t.test("extend grants the next slice until the balance is spent, then says final", async (t) => {
  await f.admin.create({ id: "p5", kind: "prepaid", balance: "0.60" });
  const a = await f.store.authorize(call("c5", "p5", { requestedS: 120 }));
  t.same([a.maxDurationS, a.reservedMicro, a.final], [120, 240_000, false]);
  const e1 = await f.store.extend({ callId: "c5", reservationId: a.reservationId, usedS: 100, requestedS: 120 });
  t.same([e1.outcome, e1.maxDurationS, e1.reservedMicro, e1.final], [GRANT, 240, 480_000, false]);
  const e2 = await f.store.extend({ callId: "c5", reservationId: a.reservationId, usedS: 220, requestedS: 120 });
  t.same([e2.maxDurationS, e2.reservedMicro, e2.final, e2.balanceMicro], [300, 600_000, true, 0]);
  const e3 = await f.store.extend({ callId: "c5", usedS: 290, requestedS: 120 });
  t.same([e3.outcome, e3.maxDurationS, e3.final], [GRANT, 300, true], "nothing more: same limit, final");
  const c = await f.store.commit({ callId: "c5", billedS: 300, amountMicro: 600_000 });
  t.equal(c.balanceMicro, 0);
  const none = await f.store.authorize(call("c5b", "p5"));
  t.same([none.outcome, none.deny?.reason, none.deny?.q850, none.deny?.announcement], [DENY, "NO_CREDIT", 21, "reject/no_credit"]);
});

t.test("a negative balance only from the last increment's rounding, recorded (002 §5.4)", async (t) => {
  await f.admin.create({ id: "p6", kind: "prepaid", balance: "0.12" });
  const a = await f.store.authorize(call("c6", "p6"));
  t.equal(a.maxDurationS, 60);
  const c = await f.store.commit({ callId: "c6", billedS: 120, amountMicro: 240_000 }); // switch overran by one increment
  t.equal(c.balanceMicro, -120_000);
  const v = await f.admin.show("p6");
  t.equal(v.negatives.length, 1);
  t.equal(v.negatives[0]?.callId, "c6");
  const d = await f.store.authorize(call("c6b", "p6"));
  t.equal(d.deny?.reason, "NO_CREDIT", "calls need a positive balance (002 §5.1)");
  t.equal(await f.admin.topup("p6", 1_000_000), 880_000, "a top-up settles it");
});

t.test("top-up: at most 100 € balance (002 §5.1), bad input changes nothing", async (t) => {
  await f.admin.create({ id: "p7", kind: "prepaid", balance: "90" });
  const over = await f.admin.topup("p7", 10_000_001).catch((e) => e);
  t.equal(over.code, "TOPUP_CAP_EXCEEDED");
  t.equal(await f.admin.topup("p7", 10_000_000), 100_000_000);
  t.equal((await f.admin.topup("nobody", 1).catch((e) => e)).code, "UNKNOWN_ACCOUNT");
  t.equal((await f.admin.topup("p7", -5).catch((e) => e)).code, "BAD_REQUEST");
  t.equal((await f.admin.create({ id: "p7", kind: "prepaid" }).catch((e) => e)).code, "CONFLICT");
  t.equal((await f.admin.create({ id: "p7x", kind: "prepaid", balance: "100.01" }).catch((e) => e)).code, "TOPUP_CAP_EXCEEDED");
  t.equal((await f.admin.show("p7")).balanceMicro, 100_000_000);
});

t.test("free minutes are used before money, per zone filter and monthly cap (001 §5.2.3)", async (t) => {
  await f.admin.create({ id: "p8", kind: "prepaid", balance: "1", freeMinutes: [{ id: "de", minutes: 100, zones: ["DE_FIXED", "DE_MOBILE"], monthlyCapMinutes: 3 }] });
  const a = await f.store.authorize(call("c8", "p8"));
  t.equal(a.maxDurationS, 3 * 60 + 480, "3 free minutes (monthly cap) + 8 paid");
  t.equal(a.reservedMicro, 960_000);
  const c = await f.store.commit({ callId: "c8", billedS: 240, amountMicro: 480_000 });
  t.equal(c.debitedMicro, 120_000, "only the 4th minute is paid");
  const v = await f.admin.show("p8");
  t.equal(v.freeMinutes[0]?.leftS, 100 * 60 - 180);
  const b = await f.store.authorize(call("c8b", "p8", { requestedS: 60 }));
  t.equal(b.reservedMicro, 120_000, "monthly cap used up: money again");
  await f.store.release({ callId: "c8b" });
  const us = await f.store.authorize(call("c8c", "p8", { destination: { zone: "NA_FIXED" } }));
  t.equal(us.maxDurationS, 420, "outside the zone filter: money only (0.88 € buys 7 min)");
});

t.test("bad requests are refused with BAD_REQUEST", async (t) => {
  t.equal((await f.store.authorize(call("bad id\n", "p1")).catch((e) => e)).code, "BAD_REQUEST");
  t.equal((await f.store.authorize(call("c9", "p1", { pricePerMinMicro: -1 })).catch((e) => e)).code, "BAD_REQUEST");
  t.equal((await f.store.commit({ callId: "c1", amountMicro: -5 }).catch((e) => e)).code, "BAD_REQUEST");
  const u = await f.store.authorize(call("c9", "ghost"));
  t.same([u.deny?.reason, u.deny?.announcement], ["UNKNOWN_ACCOUNT", "reject/unknown_account"]);
});
