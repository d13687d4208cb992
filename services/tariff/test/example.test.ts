// The shipped example configuration (infra/config/example, all files merged) passes the schema and
// prices every zone routing can hand over for every example brand, now and after the 2027 change.
import { fileURLToPath } from "node:url";
import { loadConfigFile } from "@callctl/core";
import t from "tap";
import { Quoter, Tables, ZONES, tariffConfigSchema } from "../src/index.ts";

const dir = fileURLToPath(new URL("../../../infra/config/example", import.meta.url));

t.test("example tariffs", async (t) => {
  const cfg = loadConfigFile(tariffConfigSchema, dir);
  const q = new Quoter(new Tables(cfg));
  t.same(Object.keys(cfg.tariffs.brands).sort(), ["01012", "01052", "01088", "01097", "010018", "callpartner"].sort());
  const times = ["2026-11-23T10:00:00+01:00", "2026-11-21T23:30:00+01:00", "2027-03-28T03:00:00+02:00", "2027-06-02T12:00:00+02:00"].map(Date.parse);
  let priced = 0;
  for (const brand of Object.keys(cfg.tariffs.brands))
    for (const zone of ZONES)
      for (const atMs of times) {
        try {
          const r = q.quote({ brand, zone, atMs });
          t.ok(r.playlist.length > 0 && (r.announcementText ?? "").length > 0, `${brand} ${zone}`);
          priced++;
        } catch (e) {
          t.equal((e as { code?: string }).code, "NO_TARIFF", `${brand} ${zone}: only missing zones may fail`);
        }
      }
  t.ok(priced > 200);
  const change = q.quote({ brand: "01097", zone: "DE_MOBILE", atMs: Date.parse("2026-12-31T23:00:00+01:00") });
  t.equal(change.validUntilMs, Date.parse("2027-01-01T00:00:00+01:00"), "future price change");
  t.equal(change.nextPricePerMinMicro, 59_000);
  const night = q.quote({ brand: "01012", zone: "DE_FIXED", atMs: Date.parse("2026-11-24T22:00:00+01:00") });
  t.equal(night.pricePerMinMicro, 7_000, "night band");
  t.equal(night.validUntilMs, Date.parse("2026-11-25T07:00:00+01:00"));
  const ad = q.quote({ brand: "callpartner", zone: "DE_MOBILE", product: "ad-funded", atMs: times[0]! });
  t.equal(ad.free, true);
});
