// Property test (issue 3): 10^5 random dialed strings and callers never throw, and every decision
// is well formed: a ROUTE has a valid E.164 destination, a shared zone id and 1..N candidates;
// a REJECT has a known reason with its Q.850 cause and announcement id.
import { join } from "node:path";
import { pb } from "@callctl/core";
import fc from "fast-check";
import t from "tap";
import { loadRoutingTables, REJECT_REASONS, Router, ZONE_IDS } from "../src/index.ts";

const tables = loadRoutingTables(join(import.meta.dirname, "../../../infra/config/example"));
const router = new Router({ tables });
const reasons = new Map<string, { q850: number; announcement: string }>(REJECT_REASONS.map((r) => [r.reason, r]));
const zones = new Set<string>(ZONE_IDS);

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
const prefix = fc.constantFrom("", "0", "00", "+", "010", "01097", "010018", "01088", "01052", "01012", "0109700", "010970", "0100", "01097011", "0109700049", "01097001", "0109709", "0109701", "11", "+49", "49");
const dialed = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(prefix, digits(0, 16)).map(([p, d]) => p + d) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.tuple(prefix, fc.string({ unit: fc.constantFrom(..."0123456789+#* -\n\u0000a"), maxLength: 20 })).map(([p, d]) => p + d) },
);
const caller = fc.oneof(fc.constant(""), fc.constant("49301234567"), fc.constant("493012345670"), fc.constant("4915112345678"), fc.tuple(fc.constantFrom("", "+", "0", "00", "49"), digits(0, 14)).map(([p, d]) => p + d), fc.string({ maxLength: 20 }));
const product = fc.constantFrom("", "", "", "call-by-call", "prepaid", "callback", "ad-funded", "nope");

function check(d: ReturnType<Router["decide"]>): string | null {
  const wire = pb.RouteDecision.decode(pb.RouteDecision.encode(d).finish());
  if (wire.outcome !== d.outcome || (wire.candidates?.length ?? 0) !== (d.candidates?.length ?? 0)) return "does not survive the wire";
  if (d.outcome === pb.RouteOutcome.ROUTE) {
    const dest = d.destination;
    if (!dest || !/^[1-9]\d{1,14}$/.test(dest.e164 ?? "")) return "ROUTE without a valid E.164 destination";
    if (!zones.has(dest.zone ?? "")) return `ROUTE with zone ${dest.zone}`;
    if (!/^[A-Z]{2}$/.test(dest.country ?? "")) return `ROUTE with country ${dest.country}`;
    const n = d.candidates?.length ?? 0;
    if (n < 1 || n > tables.lcr.maxCandidates) return `ROUTE with ${n} candidates`;
    if (d.candidates?.some((c) => !c.gateway?.startsWith("gw-") || !(c.dialNumber ?? "").endsWith(dest.e164 ?? "x"))) return "bad candidate";
    if (!d.brand || !d.product) return "ROUTE without brand/product";
    if (d.reject) return "ROUTE with a reject";
    return null;
  }
  if (d.outcome !== pb.RouteOutcome.REJECT) return `outcome ${d.outcome}`;
  const r = d.reject && reasons.get(d.reject.reason ?? "");
  if (!r) return `unknown reason ${d.reject?.reason}`;
  if (d.reject?.q850 !== r.q850 || d.reject.announcement !== r.announcement) return "q850/announcement mismatch";
  if (d.candidates?.length) return "REJECT with candidates";
  return null;
}

t.test("10^5 random inputs: no throw, every decision valid", async (t) => {
  let routes = 0;
  fc.assert(
    fc.property(dialed, caller, product, fc.string({ maxLength: 8 }), (dl, cl, pr, acc) => {
      const d = router.decide({ callId: "p", dialed: dl, caller: cl, product: pr, accountId: acc });
      if (d.outcome === pb.RouteOutcome.ROUTE) routes++;
      const problem = check(d);
      if (problem) throw new Error(`${JSON.stringify({ dl, cl, pr, acc })}: ${problem}`);
    }),
    { numRuns: 100_000, seed: 3 },
  );
  t.ok(routes > 1000, `a good share of routes (${routes})`);
});

t.test("non-string input from a decoded protobuf never throws", async (t) => {
  for (const dl of [undefined, null, "", "+", "0".repeat(1000)]) {
    const d = router.decide({ dialed: dl as string, caller: null as unknown as string });
    t.equal(check(d), null, JSON.stringify(dl));
  }
});
