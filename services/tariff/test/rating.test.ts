// Rating: DOMAIN.md §6 increments table and rounding, VAT (004 §7.4), price change during a call
// (TKG §110(2), DOMAIN.md §3), free quotes rated for the record (000 §5.3 ad-funded), config validation.
import { ConfigFileError, pb, validateConfig } from "@callctl/core";
import t from "tap";
import { MixedUnitError, assertSingleUnit, billedSeconds, rate, spoken, tariffConfigSchema } from "../src/index.ts";
import { at, fixtureDoc, fixtureQuoter } from "./fixture.ts";

t.test("increments table of DOMAIN.md §6", async (t) => {
  const d = [1, 59, 60, 61, 125];
  const table: [number, number, number[]][] = [
    [60, 60, [60, 60, 60, 120, 180]],
    [60, 1, [60, 60, 60, 61, 125]],
    [1, 1, [1, 59, 60, 61, 125]],
    [30, 30, [30, 60, 60, 90, 150]],
  ];
  for (const [a, b, want] of table) t.same(d.map((s) => billedSeconds(s, a, b)), want, `${a}/${b}`);
  t.equal(billedSeconds(0, 60, 60), 0, "d = 0 bills nothing");
});

const q39 = (a: number, b: number) => ({ pricePerMinMicro: 39_000, firstIncrementS: a, nextIncrementS: b, connectFeeMicro: 0, vatRateBp: 1900, validUntilMs: 0, nextPricePerMinMicro: 0, priceChangePolicy: pb.PriceChangePolicy.ANNOUNCE_NEW_PRICE, free: false });

t.test("money: integer micro-euro, rounded once per call, VAT included", async (t) => {
  t.same(rate(q39(60, 60), 61), { billedS: 120, amountMicro: 78_000, vatMicro: 12_454, listAmountMicro: 78_000 }, "3.9 ct 60/60, 61 s = 2 min = 7.8 ct; net 65,546 + VAT 12,454");
  t.equal(rate(q39(60, 1), 61).amountMicro, 39_650);
  t.equal(rate(q39(1, 1), 1).amountMicro, 650);
  t.equal(rate({ ...q39(1, 1), pricePerMinMicro: 14_900 }, 1).amountMicro, 248, "1.49 ct/min for 1 s = 248.33 µ€, rounded half up once");
  t.equal(rate({ ...q39(1, 1), pricePerMinMicro: 14_900 }, 7).amountMicro, 1_738, "7 s = 1738.33");
  t.equal(rate({ ...q39(1, 1), pricePerMinMicro: 3 }, 10).amountMicro, 1, "0.5 rounds up");
  t.same(rate(q39(60, 60), 0), { billedS: 0, amountMicro: 0, vatMicro: 0, listAmountMicro: 0 });
  t.equal(rate({ ...q39(60, 60), connectFeeMicro: 90_000 }, 1).amountMicro, 129_000, "connect fee once, when billable time > 0");
  t.equal(rate({ ...q39(60, 60), connectFeeMicro: 90_000 }, 0).amountMicro, 0);
  t.throws(() => rate(q39(60, 60), 1.5), { code: "BAD_REQUEST" });
});

t.test("price change during the call: announced new price, or the start price kept", async (t) => {
  const start = at("2026-03-27T17:58:30+01:00");
  const q = fixtureQuoter().quote({ brand: "01097", zone: "DE_FIXED", atMs: start });
  t.equal(q.validUntilMs, at("2026-03-27T18:00:00+01:00"));
  t.equal(q.priceChangePolicy, pb.PriceChangePolicy.ANNOUNCE_NEW_PRICE);
  t.equal(q.nextAnnouncementText, "Achtung, Preisänderung. Ab 18 Uhr kostet dieses Gespräch 0,9 Cent pro Minute.");
  t.equal(spoken(q.nextPlaylist), "Achtung, Preisänderung. Ab achtzehn Uhr kostet dieses Gespräch null Komma neun Cent pro Minute");
  // blocks start at +0 s and +60 s (before 18:00) at 2.9 ct, the block at +120 s at 0.9 ct
  t.equal(rate(q, 180, start).amountMicro, (120 * 29_000 + 60 * 9_000) / 60);
  t.equal(rate(q, 90, start).amountMicro, 58_000, "ends before the change");
  t.equal(rate(q, 180).amountMicro, 87_000, "without a start time the call cannot be split: start price");
  const keep = fixtureQuoter("KEEP_START_PRICE").quote({ brand: "01097", zone: "DE_FIXED", atMs: start });
  t.equal(keep.priceChangePolicy, pb.PriceChangePolicy.KEEP_START_PRICE);
  t.same(keep.nextPlaylist, [], "nothing to announce");
  t.equal(keep.nextPricePerMinMicro, 9_000, "still stated");
  t.equal(rate(keep, 180, start).amountMicro, 87_000);
  const one = fixtureQuoter().quote({ brand: "01097", zone: "DE_MOBILE", atMs: at("2026-06-11T05:59:00+02:00") });
  t.match(spoken(one.nextPlaylist), /^Achtung, Preisänderung\. Ab sechs Uhr kostet/);
  const euro = fixtureQuoter().quote({ brand: "01097", zone: "DE_MOBILE", atMs: at("2026-06-10T21:00:00+02:00") });
  t.equal(euro.nextAnnouncementText, "Achtung, Preisänderung. Ab 22 Uhr kostet dieses Gespräch 4,9 Cent pro Minute.");
});

t.test("free calls: freephone and ad-funded (rated for the record)", async (t) => {
  const q = fixtureQuoter();
  const fp = q.quote({ brand: "01097", zone: "DE_FREEPHONE", atMs: at("2026-06-10T12:00:00+02:00") });
  t.equal(fp.free, true);
  t.equal(fp.pricePerMinMicro, 0);
  t.equal(fp.announcementText, "Dieses Gespräch ist für Sie kostenlos.");
  const ad = q.quote({ brand: "callpartner", zone: "DE_FIXED", product: "ad-funded", atMs: at("2026-06-10T12:00:00+02:00") });
  t.equal(ad.free, true);
  t.same(rate(ad, 120), { billedS: 120, amountMicro: 0, vatMicro: 0, listAmountMicro: 30_000 });
  const cb = q.quote({ brand: "callpartner", zone: "DE_FIXED", atMs: at("2026-06-10T12:00:00+02:00") });
  t.equal(cb.free, false);
  t.equal(cb.tariffId, "cp-cb");
  t.equal(q.quote({ brand: "callpartner", zone: "DE_FIXED", product: "other", atMs: at("2026-06-10T12:00:00+02:00") }).tariffId, "cp-cb", "a product without lists uses the default product");
  t.equal(q.quote({ brand: "01097", zone: "DE_FIXED", product: "call-by-call", atMs: at("2026-06-10T12:00:00+02:00") }).tariffId, "01097-2026");
  t.throws(() => q.quote({ brand: "nope", zone: "DE_FIXED", atMs: 1 }), { code: "NO_TARIFF" });
  t.throws(() => q.quote({ brand: "01097", zone: "MARS", atMs: 1 }), { code: "BAD_REQUEST" });
});

t.test("a quote carries increments, connect fee, VAT and the announcement in one unit", async (t) => {
  const w = fixtureQuoter().quote({ brand: "01097", zone: "WORLD_MOBILE", atMs: at("2026-06-10T12:00:00+02:00"), callId: "c1" });
  t.match(w, { callId: "c1", pricePerMinMicro: 1_290_000, connectFeeMicro: 90_000, firstIncrementS: 60, nextIncrementS: 60, vatRateBp: 1900, chargeDelayMs: 3000, unit: pb.PriceUnit.CENT });
  t.equal(w.announcementText, "Dieses Gespräch kostet 129 Cent pro Minute, zuzüglich 9 Cent pro Verbindung. Die Abrechnung beginnt 3 Sekunden nach dem Ende dieser Ansage.");
  t.ok(w.announcementMs > 2000);
  const eu = fixtureQuoter().quote({ brand: "01097", zone: "EU_FIXED", atMs: at("2026-06-10T12:00:00+02:00") });
  t.match(eu, { firstIncrementS: 60, nextIncrementS: 1 });
});

t.test("mixed units are refused (TKG §110(1) sentence 2)", async (t) => {
  t.throws(() => assertSingleUnit(["phrase/call_costs", "num/1_ein", "unit/euro", "num/5", "unit/cent"]), MixedUnitError);
  t.doesNotThrow(() => assertSingleUnit(["phrase/call_costs", "num/1_ein", "unit/euro", "num/29"]));
});

t.test("configuration validation names the bad field", async (t) => {
  // biome-ignore lint/suspicious/noExplicitAny: the test edits a raw YAML-shaped document
  type Raw = any;
  const bad = (mutate: (d: Raw) => void, re: RegExp) => {
    const d = fixtureDoc() as Raw;
    mutate(d);
    t.throws(() => validateConfig(tariffConfigSchema, d), ConfigFileError);
    try {
      validateConfig(tariffConfigSchema, d);
    } catch (e) {
      t.match((e as Error).message, re);
    }
  };
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].increments = "90/90"), /price_lists\.0\.increments: carrier selection bills in blocks of at most 60 s/);
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].zones.EU_FIXED.increments = "60/120"), /zones\.EU_FIXED\.increments/);
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].zones.DE_FREEPHONE = { price: "1ct" }), /DE_FREEPHONE is free/);
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].zones.DE_LOCAL = { price: "12€" }), /cannot be announced in cent/);
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].zones.DE_LOCAL = { price: "1ct", colour: "red" }), /colour/);
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].zones.MARS = { price: "1ct" }), /MARS|zones/);
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].zones.DE_MOBILE.bands = [{ price: "1ct" }, { from: "08:00", to: "09:00", price: "2ct" }]), /catch-all/);
  bad((d) => (d.tariffs.brands["01097"].charge_delay_ms = 1000), /3 s/);
  bad((d) => (d.tariffs.brands["01097"].price_lists[0].zones.DE_LOCAL = { price: "0.001ct" }), /0\.01 cent/);
  const once = validateConfig(tariffConfigSchema, fixtureDoc());
  t.same(validateConfig(tariffConfigSchema, JSON.parse(JSON.stringify(once))), once, "validating the validated document again changes nothing (safe to store in KV)");
  const ok = fixtureDoc() as Raw;
  ok.tariffs.brands.callpartner.price_lists[0].increments = "120/60";
  t.doesNotThrow(() => validateConfig(tariffConfigSchema, ok), "longer blocks are allowed outside carrier selection");
});
