// Assembly from events in any order, with duplicates and gaps; callback legs; PDD; timeout close.
import t from "tap";
import { pb } from "@callctl/core";
import { addEvent, buildCdr, isComplete, isEnded, newCallState } from "../src/assemble.ts";
import { callEvents, decodeEvents, QUOTE_60_60 } from "./fixtures.ts";

const D = pb.Disposition;

function assemble(evs: ReturnType<typeof decodeEvents>) {
  const s = newCallState(evs[0]!.callId);
  for (const e of evs) addEvent(s, e);
  return s;
}

t.test("answered call after a failover: every field", async (t) => {
  const evs = decodeEvents(callEvents({ callId: "c1", talkS: 61, talkExtraMs: 900, failedAttempts: 1 }));
  const s = assemble(evs);
  t.ok(isComplete(s));
  const c = buildCdr(s);
  t.equal(c.callId, "c1");
  t.equal(c.brand, "01097");
  t.equal(c.accountId, "acct-1");
  t.equal(c.destination?.e164, "436641234567");
  t.equal(Number(c.tariff?.pricePerMinMicro), 39_000, "the announced quote is stored");
  t.equal(c.billableStartMs, Number(c.announcementEndMs) + 3000, "answer came during the 3 s: billing starts after them");
  t.equal(c.billedS, 120, "61.9 s → 61 s → two minutes at 60/60");
  t.equal(c.amountMicro, 78_000);
  t.equal(c.disposition, D.ANSWERED_CALL);
  t.equal(c.attempts?.length, 2);
  t.same(c.attempts?.map((a) => a.trunkId), ["trunk1", "trunk2"]);
  t.equal(c.pddMs, 600 + 800, "first INVITE → first 18x, announcement excluded");
  t.equal(c.closedByTimeout, false);
  t.equal(c.schemaVersion, 1);
  t.equal(c.reservationId, "res-c1");
});

t.test("out of order and duplicated gives the same Cdr", async (t) => {
  const evs = decodeEvents(callEvents({ callId: "c2", talkS: 30, failedAttempts: 2 }));
  const ref = buildCdr(assemble(evs));
  const shuffled = [...evs].reverse();
  shuffled.splice(2, 0, evs[0]!, evs[3]!);
  const s = assemble(shuffled);
  t.equal(s.duplicates, 2);
  t.same(buildCdr(s), ref);
});

t.test("gaps keep a call incomplete; reject and busy", async (t) => {
  const evs = decodeEvents(callEvents({ callId: "c3", talkS: 10, failedAttempts: 1 }));
  const s = assemble(evs.filter((e) => !(e.kind === pb.CallEventKind.ATTEMPT && e.seq === 1)));
  t.ok(isEnded(s));
  t.notOk(isComplete(s), "attempt 1 missing");
  const noStart = assemble(evs.slice(1));
  t.notOk(isComplete(noStart), "STARTED missing");
  const busy = buildCdr(assemble(decodeEvents(callEvents({ callId: "c4" }))));
  t.equal(busy.disposition, D.BUSY);
  t.equal(busy.billedS, 0);
  t.equal(busy.amountMicro, 0);
  t.equal(busy.q850, 17);
  const rej = newCallState("c5");
  addEvent(rej, pb.CallEvent.create({ callId: "c5", kind: pb.CallEventKind.STARTED, brand: "01097", atMs: 1, reject: { reason: "BLOCKED_PREMIUM", q850: 21 } }));
  t.ok(isComplete(rej), "a refused call is complete with its STARTED alone");
  t.equal(buildCdr(rej).disposition, D.REJECTED);
  t.equal(buildCdr(rej).q850, 21);
});

t.test("never-ended call closed by timeout bills nothing and is flagged", async (t) => {
  const evs = decodeEvents(callEvents({ callId: "c6", talkS: 100 })).filter((e) => e.kind !== pb.CallEventKind.ENDED);
  const c = buildCdr(assemble(evs), { closedByTimeout: true });
  t.equal(c.closedByTimeout, true);
  t.equal(c.billedS, 0);
  t.equal(c.amountMicro, 0);
  t.equal(c.disposition, D.ANSWERED_CALL);
});

t.test("announcement missing: not charged by default (DOMAIN.md §3)", async (t) => {
  const evs = decodeEvents(callEvents({ callId: "c7", talkS: 100 }));
  for (const e of evs) if (e.kind === pb.CallEventKind.ANSWERED) e.announcementEndMs = 0;
  t.equal(buildCdr(assemble(evs)).amountMicro, 0);
  t.equal(buildCdr(assemble(evs), { unannounced: "from_answer" }).billedS, 120);
  const noAnn = { ...QUOTE_60_60, announcementMs: 0, playlist: [] };
  const evs2 = decodeEvents(callEvents({ callId: "c8", talkS: 100, quote: noAnn }));
  for (const e of evs2) if (e.kind === pb.CallEventKind.ANSWERED) e.announcementEndMs = 0;
  t.equal(buildCdr(assemble(evs2)).billedS, 120, "no announcement due (e.g. prepaid product): billed from answer");
});

t.test("callback: both legs in one record, summed", async (t) => {
  const a = decodeEvents(callEvents({ callId: "cb1", talkS: 50, e164: "4930111222" }));
  const b = decodeEvents(callEvents({ callId: "cb1", talkS: 40, t0: 1_760_000_010_000 }));
  for (const e of a) e.leg = "a";
  for (const e of b) e.leg = "b";
  const s = assemble([...b, ...a]);
  t.ok(isComplete(s));
  const c = buildCdr(s);
  t.equal(c.legs?.length, 2);
  t.same(c.legs?.map((l) => l.leg), ["a", "b"]);
  t.equal(c.billedS, 120);
  t.equal(c.amountMicro, 2 * 39_000);
  t.equal(c.attempts?.length, 2);
  t.equal(c.callId, "cb1");
  const onlyA = assemble(a);
  t.equal(buildCdr(onlyA).leg, "a", "one leg seen: one flat record");
});
