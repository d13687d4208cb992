// Table-driven: every dialed string of cases.ts against the example configuration, each row with
// the seed clause or DOMAIN.md line it comes from (issue 3, "Tests that must exist").
import { join } from "node:path";
import { pb } from "@callctl/core";
import t from "tap";
import { loadRoutingTables, REJECT_REASONS, Router } from "../src/index.ts";
import { CASES } from "./cases.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");
const router = new Router({ tables: loadRoutingTables(EXAMPLE) });
const typeName = (n: number | null | undefined) => (pb.NumberType as unknown as Record<number, string>)[n ?? 0];

function describe(dialed: string, cli: string, product: string, account: string): string {
  const d = router.decide({ callId: "t", dialed, caller: cli, product, accountId: account });
  if (d.outcome === pb.RouteOutcome.ROUTE) return `ROUTE ${d.destination?.country} ${typeName(d.destination?.numberType)} ${d.destination?.zone}`;
  return `REJECT ${d.reject?.reason}${d.destination ? ` ${typeName(d.destination.numberType)}` : ""}`;
}

t.ok(CASES.length >= 150, `at least 150 dialed strings (${CASES.length})`);

for (const k of CASES) {
  t.test(`${JSON.stringify(k.dialed)} from ${k.cli || "-"}${k.product ? ` ${k.product}` : ""}: ${k.src}`, async (t) => {
    const got = describe(k.dialed, k.cli ?? "", k.product ?? "", k.account ?? "");
    // a REJECT expectation may leave out the number type
    t.equal(k.expect.split(" ").length === 2 ? got.split(" ").slice(0, 2).join(" ") : got, k.expect);
  });
}

t.test("every reject reason but NO_TRUNK_AVAILABLE (health.test.ts) appears in the table", async (t) => {
  const seen = new Set(CASES.filter((k) => k.expect.startsWith("REJECT")).map((k) => k.expect.split(" ")[1]));
  for (const r of REJECT_REASONS) if (r.reason !== "NO_TRUNK_AVAILABLE") t.ok(seen.has(r.reason), r.reason);
});

t.test("every number type appears in the table", async (t) => {
  const seen = new Set(CASES.map((k) => k.expect.split(" ")).map((w) => (w[0] === "ROUTE" ? w[2] : w[2])));
  for (const n of Object.keys(pb.NumberType)) if (n !== "NUMBER_TYPE_UNSPECIFIED") t.ok(seen.has(n), n);
});

t.test("routes carry candidates, rejects carry q850 and the announcement id", async (t) => {
  const ok = router.decide({ dialed: "010970043664123456", caller: "49301234567" });
  t.same(ok.candidates?.map((c) => c.trunkId), ["colt-eu", "bics-world"], "AT mobile: cheapest first");
  t.equal(ok.candidates?.[0]?.gateway, "gw-colt-eu");
  t.equal(ok.candidates?.[0]?.dialNumber, "43664123456");
  t.equal(ok.accountId, "cli:49301234567", "call-by-call account is the caller's line");
  const no = router.decide({ dialed: "0109709001234567", caller: "49301234567" });
  t.match(no.reject, { reason: "BLOCKED_GLOBAL", q850: 52, announcement: "reject/blocked_global" });
});
