// The end-to-end scenario table of issue 8 ("Proof"), run unchanged against both drivers: each
// row places one call on the simulator, then checks what the caller experienced (simulator
// result), what the agent decided (final CallState) and what was billed (the CDR the real cdr
// assembler published after settling with the real credit service). Times are virtual ms (the
// simulators run at 1/SCALE); callers differ per row so that credit's per-CLI limits never meet.
import { pb, type callctl } from "@callctl/core";
import type { SimCallResult, SimCallSpec, TrunkBehaviour } from "@callctl/switch-sim";
import type { Test } from "tap";
import type { CallState, SwitchAgent } from "../../src/index.ts";
import type { Stack } from "./harness.ts";

type Cdr = callctl.v1.Cdr.$Properties;
type T = Test;

export interface Sim {
  placeCall(spec: SimCallSpec): { uuid: string; done: Promise<SimCallResult> };
  setTrunk(name: string, b: TrunkBehaviour): void;
}

export interface Ctx {
  stack: Stack;
  agent: SwitchAgent;
  sim: Sim;
}

export interface Row {
  name: string;
  spec: SimCallSpec;
  trunks: Record<string, TrunkBehaviour>;
  /** Runs before the call (config changes, drain). */
  before?: (c: Ctx) => Promise<void> | void;
  check(t: T, r: SimCallResult, s: CallState, cdr: Cdr | undefined, c: Ctx): Promise<void> | void;
}

/** Answers after 2 s of ringing (virtual). */
const ANSWER: TrunkBehaviour = { kind: "answer", afterMs: 2000, ringMs: 500 };
const TRUNKS_OK = { "gw-colt-eu": ANSWER, "gw-bics-world": ANSWER, "gw-dtag-ic": ANSWER, "gw-turk-direct": ANSWER };
const AT_MOBILE = "0043664123456";
const num = (v: unknown) => Number(v ?? 0);

export const ROWS: Row[] = [
  {
    name: "routed call billed correctly (01097, AT mobile 4.9 ct/min 60/60)",
    spec: { caller: "4930111001", dialed: `01097${AT_MOBILE}`, hangupAfterAnswerMs: 90_000 },
    trunks: TRUNKS_OK,
    check(t, r, s, cdr) {
      t.match(r, { answered: true, bridgedGateway: "gw-colt-eu", earlyMedia: true });
      t.ok(r.playbacks.length >= 1, "price announcement played as early media");
      // Billable start = max(B answer, announcement end + 3 s) (DOMAIN.md §3, TKG §110).
      t.equal(s.billableStartMs, Math.max(s.answerMs, s.announcementEndMs + 3000), "charging starts at max(answer, announcement end + 3 s)");
      t.ok(s.announcementEndMs > 0 && s.answerMs > s.announcementEndMs, "dialled after the announcement");
      t.match(cdr, { brand: "01097", product: "call-by-call", disposition: pb.Disposition.ANSWERED_CALL, settlement: "COMMITTED" });
      t.equal(num(cdr?.billableStartMs), s.billableStartMs);
      // ~89 s talk → two 60 s increments at 4.9 ct = 9.8 ct, VAT included.
      t.equal(num(cdr?.billedS), 120);
      t.equal(num(cdr?.amountMicro), 98_000);
      t.equal(cdr?.attempts?.length, 1);
    },
  },
  {
    name: "blocked destination → announcement and cause, no charge",
    spec: { caller: "4930111002", dialed: "0109709001234567" },
    trunks: TRUNKS_OK,
    check(t, r, s, cdr) {
      t.match(r, { answered: false, q850: 52, attempts: [] });
      t.ok(r.playbacks.some((p) => p.includes("reject/blocked_global")), "rejection announcement played");
      t.match(s.reject, { reason: "BLOCKED_GLOBAL", q850: 52 });
      t.match(cdr, { disposition: pb.Disposition.REJECTED, q850: 52 });
      t.equal(num(cdr?.amountMicro), 0);
      t.equal(cdr?.attempts?.length ?? 0, 0);
    },
  },
  {
    name: "caller hangs up during the announcement → no dial, no charge",
    spec: { caller: "4930111003", dialed: `01097${AT_MOBILE}`, hangupDuringAnnouncementMs: 300 },
    trunks: TRUNKS_OK,
    check(t, r, s, cdr) {
      t.match(r, { answered: false, attempts: [], hangupBy: "caller" });
      t.equal(s.attempts.length, 0, "no trunk was dialled");
      t.match(cdr, { disposition: pb.Disposition.CANCELLED, settlement: "RELEASED" });
      t.equal(num(cdr?.amountMicro), 0);
    },
  },
  {
    name: "first trunk 503 → second trunk answers",
    spec: { caller: "4930111004", dialed: `01097${AT_MOBILE}`, hangupAfterAnswerMs: 30_000 },
    trunks: { ...TRUNKS_OK, "gw-colt-eu": { kind: "fail", sipCode: 503, afterMs: 100 } },
    check(t, r, s, cdr) {
      t.match(r, { answered: true, bridgedGateway: "gw-bics-world" });
      t.same(s.attempts.map((a) => [a.gateway, a.sipCode]), [["gw-colt-eu", 503], ["gw-bics-world", 200]]);
      t.same(cdr?.attempts?.map((a) => [a.trunkId, a.sipCode]), [["colt-eu", 503], ["bics-world", 200]]);
      t.match(cdr, { disposition: pb.Disposition.ANSWERED_CALL, settlement: "COMMITTED" });
      t.ok(num(cdr?.amountMicro) > 0, "billed");
    },
  },
  {
    name: "busy → no failover, no charge",
    spec: { caller: "4930111005", dialed: `01097${AT_MOBILE}` },
    trunks: { ...TRUNKS_OK, "gw-colt-eu": { kind: "busy", afterMs: 300 } },
    check(t, r, s, cdr) {
      t.match(r, { answered: false, q850: 17 });
      t.equal(s.attempts.length, 1, "the second trunk was not tried");
      t.match(cdr, { disposition: pb.Disposition.BUSY, q850: 17, settlement: "RELEASED" });
      t.equal(num(cdr?.amountMicro), 0);
    },
  },
  {
    name: "prepaid (01088): hangup exactly at the granted limit, low-credit warning, balance debited",
    spec: { caller: "493012345670", dialed: `01088${AT_MOBILE}`, hangupAfterAnswerMs: 3_600_000 },
    trunks: TRUNKS_OK,
    async check(t, r, s, cdr, c) {
      const max = num(s.auth?.maxDurationS);
      t.ok(max > 60 && max < 600, `granted ${max} s from a 0.20 € balance`);
      t.equal(s.hangupBy, "limit");
      t.equal(s.endMs - s.billableStartMs, max * 1000, "ended exactly at the granted limit");
      t.match(r, { answered: true });
      t.ok(r.playbacks.some((p) => p.includes("credit/low_balance")), "warned before the credit ran out");
      t.match(cdr, { product: "prepaid", accountId: "pp-100001", disposition: pb.Disposition.ANSWERED_CALL, settlement: "COMMITTED" });
      t.equal(num(cdr?.billedS), max);
      const left = await c.stack.balance("pp-100001");
      t.equal(left, 200_000 - num(cdr?.amountMicro), "balance debited by the CDR amount");
      t.ok(left >= 0, "never negative");
    },
  },
  {
    name: "price change mid-call announced (TKG §110(2))",
    spec: { caller: "4930111007", dialed: `010018${AT_MOBILE}`, hangupAfterAnswerMs: 100_000 },
    trunks: TRUNKS_OK,
    async before(c) {
      // A new 010018 price list from 60 s (virtual) after now, announced before it applies.
      const doc = structuredClone(c.stack.doc) as { tariffs: { brands: Record<string, { price_change_policy?: string; price_lists: Array<Record<string, unknown>> }> } };
      const b = doc.tariffs.brands["010018"]!;
      const from = new Date(c.stack.clock.now() + 60_000).toISOString();
      b.price_change_policy = "ANNOUNCE_NEW_PRICE";
      b.price_lists.push({ ...structuredClone(b.price_lists[0]!), id: "010018-e2e", valid_from: from, zones: { ...(b.price_lists[0]!.zones as object), EU_MOBILE: { price: "5.49ct" } } });
      await c.stack.putDoc(doc);
    },
    check(t, r, s, cdr) {
      const next = s.quote?.nextPlaylist ?? [];
      t.ok(next.length > 0, "the quote carries the next price's announcement");
      t.ok(num(s.quote?.validUntilMs) < s.endMs, "valid_until fell inside the call");
      t.ok(r.playbacks.some((p) => next.some((n) => p.includes(n))), "new price announced during the call");
      t.match(cdr, { brand: "010018", disposition: pb.Disposition.ANSWERED_CALL, settlement: "COMMITTED" });
    },
  },
  {
    name: "drain: refused with 41 before any service is asked; undrain restores",
    spec: { caller: "4930111009", dialed: `01097${AT_MOBILE}` },
    trunks: TRUNKS_OK,
    before: (c) => c.agent.drain(),
    async check(t, r, s, cdr, c) {
      t.match(r, { answered: false, q850: 41, attempts: [] });
      t.match(cdr, { disposition: pb.Disposition.REJECTED, q850: 41 });
      t.match(s.reject, { reason: "NODE_DRAINING", q850: 41 });
      t.equal(c.agent.status().draining, true);
      c.agent.undrain();
      const again = await c.sim.placeCall({ caller: "4930111010", dialed: `01097${AT_MOBILE}`, hangupAfterAnswerMs: 5_000 }).done;
      t.match(again, { answered: true }, "accepted again after undrain");
    },
  },
];

/** Runs every row in order on one stack/agent/simulator. */
export async function runTable(t: T, c: Ctx, rows: Row[] = ROWS): Promise<void> {
  for (const row of rows) {
    await t.test(row.name, async (t) => {
      for (const [k, b] of Object.entries(row.trunks)) c.sim.setTrunk(k, b);
      await row.before?.(c);
      const r = await c.sim.placeCall(row.spec).done;
      const s = await c.stack.endedOf((x) => x.info.caller === row.spec.caller && x.phase === "ended");
      const cdr = await c.stack.cdr(s.info.callId);
      await row.check(t, r, s, cdr, c);
    });
  }
}
