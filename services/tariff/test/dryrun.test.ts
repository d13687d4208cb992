// Dry runs behind `callctl quote` / `callctl rate` and the E.164 -> zone fallback (zone.ts).
import t from "tap";
import { dryRunQuote, dryRunRate, zoneForE164 } from "../src/index.ts";

t.test("zone fallback", async (t) => {
  const cases: [string, string][] = [
    ["4930123456", "DE_FIXED"], ["4915112345678", "DE_MOBILE"], ["498001234567", "DE_FREEPHONE"], ["4932123456789", "DE_NATSUB"],
    ["+436641234567", "EU_MOBILE"], ["4312345678", "EU_FIXED"], ["12133734253", "NA_FIXED"], ["905321234567", "TR_MOBILE"],
    ["902121234567", "TR_FIXED"], ["66812345678", "WORLD_MOBILE"],
  ];
  for (const [n, z] of cases) t.equal(zoneForE164(n), z, n);
  t.match(zoneForE164("18765551234"), /^WORLD_/, "NANP outside US/CA is world");
  t.throws(() => zoneForE164("0301234"), { code: "BAD_REQUEST" });
});

t.test("quote and rate from the example configuration", async (t) => {
  const q = dryRunQuote({ brand: "01097", to: "4930123456", at: "2026-11-23T18:58:30" });
  t.match(q, { zone: "DE_FIXED", price_per_min_micro: 29_000, increments: "60/60", valid_until: "2026-11-23T18:00:00.000Z", next_price_per_min_micro: 9_000 });
  t.match(q.announcement_text, /^Dieses Gespräch kostet 2,9 Cent pro Minute/);
  const r = dryRunRate({ brand: "01097", to: "4930123456", at: "2026-11-23T18:58:30", seconds: 180 });
  t.match(r, { billed_s: 180, amount_micro: 67_000, vat_micro: 10_697 });
  t.match(dryRunQuote({ brand: "01097", zone: "DE_LOCAL", at: "2026-11-22T12:00" }), { zone: "DE_LOCAL", price_per_min_micro: 9_000 });
  t.throws(() => dryRunQuote({ brand: "01097", to: "4930123456", config: "/nonexistent" }));
});
