// The CallFlow state machine, scenario by scenario (ARCHITECTURE.md "The call, step by step").
import { pb } from "@callctl/core";
import t from "tap";
import { step } from "../src/flow/callflow.ts";
import type { Command, FlowEvent } from "../src/flow/types.ts";
import { decision, grant, quote, run, start, T0, toDial } from "./flow-helpers.ts";

const D = pb.Disposition;
const ended = (r: ReturnType<typeof run>) => r.published.find((e) => e.kind === pb.CallEventKind.ENDED)!;
const cmd = <K extends Command["kind"]>(r: ReturnType<typeof run>, k: K) => r.commands.filter((c): c is Extract<Command, { kind: K }> => c.kind === k);

interface Scenario {
  name: string;
  events: FlowEvent[];
  product?: string;
  kinds: string[];
  disposition: number;
  q850?: number;
  by?: string;
}

const A = T0 + 6000; // B answers one second after the announcement ended
const scenarios: Scenario[] = [
  {
    name: "routed call: announce, dial, answer, caller hangs up",
    events: [...toDial(), { type: "progress", at: T0 + 5200 }, { type: "answered", at: A }, { type: "hangup", at: A + 70_000, by: "caller" }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "dial", "publish:attempt", "publish:answered", "bridge", "scheduleHangup", "setTimer", "setTimer", "publish:ended"],
    disposition: D.ANSWERED_CALL, q850: 16, by: "caller",
  },
  {
    name: "blocked destination: reject announcement, then the routing cause",
    events: [{ type: "start", at: T0 }, { type: "routed", at: T0 + 1, decision: decision(0, { outcome: pb.RouteOutcome.REJECT, reject: { reason: "BLOCKED_PREMIUM", q850: 21, announcement: "reject/blocked" } }) }, { type: "playDone", at: T0 + 3000, id: "reject", ok: true }],
    kinds: ["route", "publish:started", "play", "hangup", "publish:ended"],
    disposition: D.REJECTED, q850: 21, by: "system",
  },
  {
    name: "caller hangs up during the announcement: no dial, reservation released",
    events: [...toDial().slice(0, 4), { type: "hangup", at: T0 + 2000, by: "caller", q850: 16 }, { type: "playDone", at: T0 + 2001, id: "price", ok: false }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "publish:ended", "release"],
    disposition: D.CANCELLED, by: "caller",
  },
  {
    name: "first trunk 503: failover to the second, which answers",
    events: [...toDial(), { type: "dialFailed", at: T0 + 5100, q850: 41, sipCode: 503 }, { type: "answered", at: A }, { type: "hangup", at: A + 1000, by: "callee" }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "dial", "publish:attempt", "dial", "publish:attempt", "publish:answered", "bridge", "scheduleHangup", "setTimer", "setTimer", "hangup", "publish:ended"],
    disposition: D.ANSWERED_CALL, by: "callee",
  },
  {
    name: "busy: no failover, caller gets 17",
    events: [...toDial(), { type: "dialFailed", at: T0 + 5100, q850: 17, sipCode: 486 }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "dial", "publish:attempt", "hangup", "publish:ended", "release"],
    disposition: D.BUSY, q850: 17, by: "callee",
  },
  {
    name: "every trunk fails with a network cause: the last cause goes to the caller",
    events: [...toDial(), { type: "dialFailed", at: T0 + 5100, q850: 34 }, { type: "dialFailed", at: T0 + 5200, q850: 38 }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "dial", "publish:attempt", "dial", "publish:attempt", "hangup", "publish:ended", "release"],
    disposition: D.FAILED, q850: 38, by: "system",
  },
  {
    name: "no answer: no failover",
    events: [...toDial(), { type: "dialFailed", at: T0 + 35_000, q850: 19, sipCode: 480 }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "dial", "publish:attempt", "hangup", "publish:ended", "release"],
    disposition: D.NO_ANSWER, q850: 19, by: "callee",
  },
  {
    name: "caller cancels while the trunk rings",
    events: [...toDial(), { type: "progress", at: T0 + 5100 }, { type: "hangup", at: T0 + 8000, by: "caller" }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "dial", "publish:attempt", "publish:ended", "release"],
    disposition: D.CANCELLED, by: "caller",
  },
  {
    name: "free call: no announcement, dial at once",
    events: [...toDial(quote({ free: true, playlist: [] })).slice(0, 4), { type: "answered", at: T0 + 900 }, { type: "hangup", at: T0 + 5000, by: "caller" }],
    kinds: ["route", "quote", "authorize", "publish:started", "dial", "publish:attempt", "publish:answered", "bridge", "scheduleHangup", "setTimer", "setTimer", "publish:ended"],
    disposition: D.ANSWERED_CALL, by: "caller",
  },
  {
    name: "credit denies: no-credit announcement and cause",
    events: [{ type: "start", at: T0 }, { type: "routed", at: T0 + 1, decision: decision() }, { type: "quoted", at: T0 + 2, quote: quote() }, { type: "authorized", at: T0 + 3, auth: { outcome: pb.AuthOutcome.DENY, deny: { reason: "NO_CREDIT", q850: 21, announcement: "reject/no_credit" } } }, { type: "playDone", at: T0 + 2000, id: "reject", ok: true }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "hangup", "publish:ended"],
    disposition: D.REJECTED, q850: 21,
  },
  {
    name: "routing deadline passed: refused with 41",
    events: [{ type: "start", at: T0 }, { type: "failed", at: T0 + 50, step: "route", code: "DEADLINE_EXCEEDED" }, { type: "playDone", at: T0 + 2000, id: "reject", ok: true }],
    kinds: ["route", "publish:started", "play", "hangup", "publish:ended"],
    disposition: D.REJECTED, q850: 41,
  },
  {
    name: "prepaid, credit deadline passed: fail-safe deny",
    product: "prepaid",
    events: [{ type: "start", at: T0 }, { type: "routed", at: T0 + 1, decision: decision(2, { product: "prepaid" }) }, { type: "quoted", at: T0 + 2, quote: quote() }, { type: "failed", at: T0 + 60, step: "authorize", code: "DEADLINE_EXCEEDED" }, { type: "playDone", at: T0 + 2000, id: "reject", ok: true }],
    kinds: ["route", "quote", "authorize", "publish:started", "play", "hangup", "publish:ended"],
    disposition: D.REJECTED, q850: 41,
  },
  {
    name: "draining node: refused with 41 before any request",
    events: [{ type: "start", at: T0, refuse: { reason: "NODE_DRAINING", q850: 41 } }],
    kinds: ["publish:started", "hangup", "publish:ended"],
    disposition: D.REJECTED, q850: 41,
  },
  {
    name: "caller hangs up while routing: STARTED and ENDED still published",
    events: [{ type: "start", at: T0 }, { type: "hangup", at: T0 + 10, by: "caller" }, { type: "routed", at: T0 + 20, decision: decision() }],
    kinds: ["route", "publish:started", "publish:ended"],
    disposition: D.CANCELLED, by: "caller",
  },
];

for (const sc of scenarios) {
  t.test(sc.name, async (t) => {
    const r = run(sc.events, start(sc.product));
    t.same(r.kinds, sc.kinds);
    t.equal(r.state.phase, "ended");
    const e = ended(r);
    t.equal(e.disposition, sc.disposition, "disposition");
    if (sc.q850 !== undefined) t.equal(e.q850, sc.q850, "q850");
    if (sc.by) t.equal(e.hangupBy, sc.by, "hangup by");
    t.equal(new Set(r.msgIds).size, r.msgIds.length, "message ids are unique");
    t.equal(r.published.filter((p) => p.kind === pb.CallEventKind.STARTED).length, 1, "one STARTED");
  });
}

t.test("billable start = max(answer, announcement end + 3 s), limit from there", async (t) => {
  const early = run([...toDial(quote(), 60), { type: "answered", at: T0 + 5500 }]);
  t.equal(early.state.billableStartMs, T0 + 8000, "answer 0.5 s after the announcement: billing at +3 s");
  t.equal(early.state.limitMs, T0 + 8000 + 60_000);
  t.match(cmd(early, "scheduleHangup"), [{ atMs: T0 + 68_000 }]);
  const late = run([...toDial(quote(), 60), { type: "answered", at: T0 + 20_000 }]);
  t.equal(late.state.billableStartMs, T0 + 20_000, "late answer: billing at answer");
  const ans = late.published.find((e) => e.kind === pb.CallEventKind.ANSWERED)!;
  t.equal(ans.announcementEndMs, T0 + 5000);
  t.equal(ans.answerMs, T0 + 20_000);
});

t.test("prepaid hangup exactly at the granted limit", async (t) => {
  const r = run([...toDial(quote(), 120, { final: true }), { type: "answered", at: A }, { type: "timer", at: A + 2000 + 120_000 + 7, name: "limit" }, { type: "hangup", at: A + 122_050, by: "caller" }]);
  const e = ended(r);
  t.equal(e.hangupBy, "limit");
  t.equal(Number(e.endMs) - r.state.billableStartMs, 120_000, "billed exactly the grant, even when the timer fires late");
  t.match(cmd(r, "hangup"), [{ q850: 16, reason: "ALLOTTED_TIMEOUT" }]);
  t.equal(cmd(r, "release").length, 0, "answered calls are committed by the CDR service, not released");
});

t.test("a stale limit timer after an extension does nothing", async (t) => {
  const base = [...toDial(quote(), 60, { reservationId: "r1" }), { type: "answered", at: A } as FlowEvent];
  const r = run([...base, { type: "timer", at: A + 32_000, name: "extend" }, { type: "extended", at: A + 32_010, auth: grant(180) }, { type: "timer", at: A + 62_000, name: "limit" }]);
  t.equal(r.state.phase, "bridged");
  t.equal(r.state.limitMs, r.state.billableStartMs + 180_000);
  t.match(cmd(r, "extend"), [{ reservationId: "r1", usedS: 30 }]);
  t.equal(cmd(r, "scheduleHangup").at(-1)!.atMs, r.state.limitMs, "the switch-side backstop moves too");
});

t.test("extension refused: the original limit holds, no second extend", async (t) => {
  const r = run([...toDial(quote(), 60), { type: "answered", at: A }, { type: "timer", at: A + 32_000, name: "extend" }, { type: "extended", at: A + 32_010 }, { type: "timer", at: A + 33_000, name: "extend" }, { type: "timer", at: A + 62_000, name: "limit" }]);
  t.equal(cmd(r, "extend").length, 1);
  t.equal(ended(r).hangupBy, "limit");
});

t.test("low-credit warning before the limit", async (t) => {
  const r = run([...toDial(quote(), 120, { final: true, warnBeforeEndS: 30 }), { type: "answered", at: A }]);
  t.match(cmd(r, "setTimer"), [{ name: "limit" }, { name: "warn", atMs: r.state.limitMs - 30_000 }]);
  const w = step(r.state, { type: "timer", at: r.state.limitMs - 30_000, name: "warn" });
  t.match(w.commands, [{ kind: "play", id: "warn", early: false }]);
});

t.test("price change inside the call is announced before valid_until", async (t) => {
  const q = quote({ validUntilMs: A + 60_000, priceChangePolicy: pb.PriceChangePolicy.ANNOUNCE_NEW_PRICE, nextPlaylist: ["price/new", "num/5"] });
  const r = run([...toDial(q, 600, { final: true }), { type: "answered", at: A }]);
  const pc = cmd(r, "setTimer").find((c) => c.name === "priceChange")!;
  t.equal(pc.atMs, A + 60_000 - 15_000);
  const p = step(r.state, { type: "timer", at: pc.atMs, name: "priceChange" });
  t.match(p.commands, [{ kind: "play", id: "priceChange", playlist: ["price/new", "num/5"] }]);
  const keep = run([...toDial(quote({ ...q, priceChangePolicy: pb.PriceChangePolicy.KEEP_START_PRICE }), 600, { final: true }), { type: "answered", at: A }]);
  t.notOk(cmd(keep, "setTimer").some((c) => c.name === "priceChange"), "KEEP_START_PRICE: nothing to announce");
  const after = run([...toDial(quote({ ...q, validUntilMs: A + 700_000 }), 600, { final: true }), { type: "answered", at: A }]);
  t.notOk(cmd(after, "setTimer").some((c) => c.name === "priceChange"), "valid_until after the limit: nothing to announce");
});

t.test("call-by-call, credit down: allowed with the capped duration, marked fail-safe", async (t) => {
  const r = run([{ type: "start", at: T0 }, { type: "routed", at: T0 + 1, decision: decision() }, { type: "quoted", at: T0 + 2, quote: quote() }, { type: "failed", at: T0 + 60, step: "authorize", code: "NO_RESPONDER" }]);
  t.equal(r.state.failSafe, true);
  t.equal(r.state.auth?.maxDurationS, 600);
  t.equal(r.published[0]!.maxDurationS, 600);
  t.match(r.kinds.slice(-1), ["play"]);
});

t.test("failed announcement: never dial, refuse with 41", async (t) => {
  const r = run([...toDial().slice(0, 4), { type: "playDone", at: T0 + 100, id: "price", ok: false }]);
  t.equal(cmd(r, "dial").length, 0);
  t.match(cmd(r, "hangup"), [{ q850: 41 }]);
});

t.test("attempt records: trunk, codes, time to 18x", async (t) => {
  const r = run([...toDial(), { type: "progress", at: T0 + 5150 }, { type: "dialFailed", at: T0 + 5300, q850: 41, sipCode: 503 }, { type: "progress", at: T0 + 5400 }, { type: "progress", at: T0 + 5500 }, { type: "answered", at: A }]);
  const atts = r.published.filter((e) => e.kind === pb.CallEventKind.ATTEMPT).map((e) => e.attempt!);
  t.match(atts, [
    { n: 1, trunkId: "t1", sipCode: 503, q850: 41, startedMs: T0 + 5000, progressMs: T0 + 5150, endedMs: T0 + 5300, disposition: D.FAILED },
    { n: 2, trunkId: "t2", sipCode: 200, startedMs: T0 + 5300, progressMs: T0 + 5400, endedMs: A, disposition: D.ANSWERED_CALL },
  ]);
  t.same(r.msgIds.filter((m) => m.includes("attempt")), ["c1:attempt:1", "c1:attempt:2"]);
});

t.test("late grant after the caller left is released", async (t) => {
  const r = run([{ type: "start", at: T0 }, { type: "routed", at: T0 + 1, decision: decision() }, { type: "quoted", at: T0 + 2, quote: quote() }, { type: "hangup", at: T0 + 3, by: "caller" }, { type: "authorized", at: T0 + 4, auth: grant() }]);
  t.match(cmd(r, "release"), [{ reservationId: "r1", reason: "CALLER_GONE" }]);
});

t.test("events after the end change nothing", async (t) => {
  const r = run([...toDial(), { type: "answered", at: A }, { type: "hangup", at: A + 1000, by: "caller" }]);
  for (const ev of [{ type: "answered", at: A + 2 }, { type: "timer", at: A + 5, name: "limit" }, { type: "hangup", at: A + 9, by: "callee" }] as FlowEvent[]) {
    const s = step(r.state, ev);
    t.same(s.commands, []);
    t.equal(s.state, r.state);
  }
});

t.test("callback legs get their own message ids", async (t) => {
  const s = start();
  const r = run(toDial(), { ...s, info: { ...s.info, leg: "b" } });
  t.ok(r.msgIds.every((m) => m.startsWith("c1:b:")));
  t.equal(r.published[0]!.leg, "b");
});

t.test("emergency route to a brand's emergency trunk: no quote, no credit, no announcement, never cut short", async (t) => {
  // Seed 001 §2.2 / DOMAIN.md §1: 110/112 and 116xyz are never charged; routing may send them to a
  // configured emergency trunk at cost 0 with no account (issue 3, policy).
  for (const numberType of [pb.NumberType.EMERGENCY, pb.NumberType.HARMONISED]) {
    const d = decision(1, { accountId: "", destination: { e164: "112", country: "DE", numberType, zone: "DE_FREEPHONE" } });
    const r = run([{ type: "start", at: T0 }, { type: "routed", at: T0 + 1, decision: d }, { type: "answered", at: T0 + 900 }]);
    t.notOk(r.kinds.includes("quote") || r.kinds.includes("authorize") || r.kinds.includes("play"), "straight from route to dial");
    t.match(r.kinds, ["route", "publish:started", "dial", "publish:attempt", "publish:answered", "bridge", "scheduleHangup", "setTimer"]);
    t.equal(r.state.billableStartMs, T0 + 900);
    t.equal(r.state.limitMs - r.state.billableStartMs, 24 * 3600 * 1000, "no credit limit: only the day-long backstop");
    t.equal(r.published[0]!.quote ?? null, null, "no tariff on record: the CDR rates it at 0");
  }
});
