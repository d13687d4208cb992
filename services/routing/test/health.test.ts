// Failover causes (DOMAIN.md §5) and trunk health: a failing trunk is demoted (circuit open),
// probed when half-open, and recovers; the 97 % completion target of seed 004 §5.1.
import { join } from "node:path";
import { pb } from "@callctl/core";
import t from "tap";
import { isNetworkFailure, loadRoutingTables, Router, TrunkHealth } from "../src/index.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");

t.test("failover classification: DOMAIN.md §5 cause table", async (t) => {
  // network rows: fail over
  for (const q of [2, 3, 25, 27, 34, 38, 41, 42, 44, 47, 79, 102, 111, 127]) t.ok(isNetworkFailure(q, 0), `Q.850 ${q} is a network failure`);
  // user and dialling-error rows: never fail over (busy, no answer, rejected, unallocated, ...)
  for (const q of [1, 16, 17, 18, 19, 20, 21, 22, 28, 31]) t.notOk(isNetworkFailure(q, 0), `Q.850 ${q} is not`);
  // RFC 3398 SIP -> ISUP rows that map to network causes
  for (const s of [400, 408, 481, 482, 483, 500, 501, 502, 503, 504, 505, 513]) t.ok(isNetworkFailure(0, s), `SIP ${s} is a network failure`);
  for (const s of [404, 480, 486, 600, 603, 403, 401, 402, 407, 410, 484, 485, 604, 487]) t.notOk(isNetworkFailure(0, s), `SIP ${s} is not`);
  t.notOk(isNetworkFailure(17, 503), "a Q.850 cause wins over the SIP code (busy behind a 503)");
  t.ok(isNetworkFailure(34, 486), "and the other way round");
  t.notOk(isNetworkFailure(0, 0), "no information: no failover");
});

t.test("DOMAIN.md §5 test vector: 85 % NER opens a breaker set at 90 %", async (t) => {
  const h = new TrunkHealth({ window: 100, minSamples: 100, nerThreshold: 0.9, openMs: 1000, probeIntervalMs: 100, probeSuccesses: 2 }, () => 0);
  const causes = [...Array(55).fill(16), ...Array(15).fill(17), ...Array(10).fill(18), ...Array(5).fill(21), ...Array(15).fill(41)];
  for (const q of causes) h.record("x", q, 0, 0);
  t.equal(Math.round(h.status("x", 0).ner * 100), 85);
  t.equal(h.status("x", 0).state, "OPEN");
});

t.test("a trunk that starts failing is demoted and recovers", async (t) => {
  let now = 1_000_000;
  const router = new Router({ tables: loadRoutingTables(EXAMPLE), now: () => now });
  const req = { callId: "h", dialed: "01097030123456", caller: "49891234567" };
  const order = () => router.decide(req).candidates?.map((c) => `${c.trunkId}:${c.health}`);
  t.same(order(), ["dtag-ic:CLOSED", "colt-eu:CLOSED", "bics-world:CLOSED"], "cheapest first while healthy");
  // dtag-ic: 20 attempts, 3 network failures -> NER 85 % < 90 % threshold (minSamples 20)
  for (let i = 0; i < 17; i++) router.health.record("dtag-ic", 16, 200, now);
  for (let i = 0; i < 3; i++) router.health.record("dtag-ic", 34, 503, now);
  t.equal(router.health.status("dtag-ic").state, "OPEN");
  t.same(order(), ["colt-eu:CLOSED", "bics-world:CLOSED"], "open circuit: not offered");
  now += 30_000; // openMs
  t.same(order(), ["dtag-ic:HALF_OPEN", "colt-eu:CLOSED", "bics-world:CLOSED"], "half-open: one probe in its cost position");
  t.same(order(), ["colt-eu:CLOSED", "bics-world:CLOSED", "dtag-ic:HALF_OPEN"], "between probes: demoted to the end");
  router.health.record("dtag-ic", 38, 0, now); // the probe fails
  t.equal(router.health.status("dtag-ic").state, "OPEN", "a failed probe opens again");
  now += 30_000;
  t.equal(router.health.status("dtag-ic").state, "HALF_OPEN");
  for (let i = 0; i < 3; i++) router.health.record("dtag-ic", 16, 200, now); // probeSuccesses 3
  t.equal(router.health.status("dtag-ic").state, "CLOSED", "three good probes close it");
  t.same(order(), ["dtag-ic:CLOSED", "colt-eu:CLOSED", "bics-world:CLOSED"], "back in first place");
  t.equal(router.health.status("dtag-ic").samples, 0, "a fresh window after recovery");
});

t.test("busy and no-answer never demote a trunk", async (t) => {
  const h = new TrunkHealth({ window: 50, minSamples: 10, nerThreshold: 0.97, openMs: 1000, probeIntervalMs: 100, probeSuccesses: 1 }, () => 0);
  for (let i = 0; i < 50; i++) h.record("t1", [17, 18, 19, 21, 1][i % 5]!, 0);
  t.equal(h.status("t1").state, "CLOSED");
  t.equal(h.status("t1").ner, 1);
});

t.test("all priced trunks open: NO_TRUNK_AVAILABLE with Q.850 34", async (t) => {
  const router = new Router({ tables: loadRoutingTables(EXAMPLE), now: () => 5 });
  for (const tr of ["turk-direct", "colt-eu", "bics-world"]) for (let i = 0; i < 20; i++) router.health.record(tr, 41, 503, 5);
  const d = router.decide({ dialed: "0109700905321234567", caller: "49301234567" });
  t.equal(d.outcome, pb.RouteOutcome.REJECT);
  t.match(d.reject, { reason: "NO_TRUNK_AVAILABLE", q850: 34, announcement: "reject/no_trunk_available" });
  const de = router.decide({ dialed: "01097030123456", caller: "49301234567" });
  t.same(de.candidates?.map((c) => c.trunkId), ["dtag-ic"], "other destinations still route over healthy trunks");
});

t.test("at most lcr.maxCandidates, per-candidate timeout from the trunk", async (t) => {
  const tables = loadRoutingTables(EXAMPLE);
  const router = new Router({ tables: { ...tables, lcr: { ...tables.lcr, maxCandidates: 2 } } });
  const d = router.decide({ dialed: "01097030123456", caller: "49301234567" });
  t.equal(d.candidates?.length, 2);
  t.same(d.candidates?.map((c) => c.timeoutMs), [60000, 45000]);
  t.same(d.candidates?.map((c) => c.costMicroPerMin), [900, 1100]);
});
