// Rating: increments (DOMAIN.md §6 table), the 3 s charge delay (TKG §110), rounding once per call,
// VAT, the price change mid-call (TKG §110(2)) and free calls.
import t from "tap";
import { pb } from "@callctl/core";
import { billedSeconds, billableSeconds, billableStart, rate, vatPart } from "../src/rating.ts";
import { QUOTE_60_60 } from "./fixtures.ts";

t.test("billed seconds: the DOMAIN.md §6 table", async (t) => {
  const ds = [1, 59, 60, 61, 125];
  const table: [number, number, number[]][] = [
    [60, 60, [60, 60, 60, 120, 180]],
    [60, 1, [60, 60, 60, 61, 125]],
    [1, 1, [1, 59, 60, 61, 125]],
    [30, 30, [30, 60, 60, 90, 150]],
  ];
  for (const [a, b, want] of table) t.same(ds.map((d) => billedSeconds(d, a, b)), want, `${a}/${b}`);
  t.equal(billedSeconds(0, 60, 60), 0, "d = 0 is never billed");
  t.equal(billedSeconds(61, 120, 120), 120, "§ 112(1) TKG: units above 60 s are capped at 60 s");
  t.equal(billedSeconds(3, 0, 0), 3, "no increment = per second");
});

t.test("billable start and seconds: announcement end + 3 s, ms truncated", async (t) => {
  t.equal(billableStart(10_000, 9_000, QUOTE_60_60), 12_000, "answer during the announcement: billing waits 3 s after its end");
  t.equal(billableStart(20_000, 9_000, QUOTE_60_60), 20_000, "answer later: billing starts at answer");
  t.equal(billableStart(10_000, 9_000, { ...QUOTE_60_60, chargeDelayMs: 1000 }), 12_000, "a quote cannot shorten the legal 3 s");
  t.equal(billableStart(10_000, 9_000, { ...QUOTE_60_60, chargeDelayMs: 5000 }), 14_000, "a longer delay is honoured");
  t.equal(billableStart(0, 9_000, QUOTE_60_60), 0, "never answered");
  t.equal(billableSeconds(1000, 61_999), 60, "60.999 s is 60 s: never rounded up");
  t.equal(billableSeconds(5000, 4000), 0);
});

t.test("amount: once per call, down to 0.01 ct, VAT contained", async (t) => {
  const r = rate(QUOTE_60_60, 61, 0);
  t.same(r, { billedS: 120, amountMicro: 78_000, vatMicro: vatPart(78_000, 1900) });
  t.equal(vatPart(119_000, 1900), 19_000, "1.19 € gross holds 0.19 € VAT");
  t.equal(vatPart(39_000, 1900), 6227, "half up to the micro-euro");
  const perSecond = { ...QUOTE_60_60, firstIncrementS: 1, nextIncrementS: 1, pricePerMinMicro: 39_001, connectFeeMicro: 10_000 };
  // 7 s × 39001 / 60 = 4550.11 µ€ → 4500 µ€ (floor to 100 µ€) + 10000 connect fee
  t.equal(rate(perSecond, 7, 0).amountMicro, 14_500);
  t.same(rate(perSecond, 0, 0), { billedS: 0, amountMicro: 0, vatMicro: 0 }, "no billable second, no connect fee");
  t.same(rate({ ...QUOTE_60_60, free: true }, 300, 0), { billedS: 0, amountMicro: 0, vatMicro: 0 }, "freephone never charged");
});

t.test("price change mid-call", async (t) => {
  const start = 1_000_000;
  const q = { ...QUOTE_60_60, validUntilMs: start + 90_000, nextPricePerMinMicro: 19_000 };
  // 200 s under 60/60 = 4 units starting at 0, 60, 120, 180 s; change at 90 s → 2 old + 2 new
  t.equal(rate({ ...q, priceChangePolicy: pb.PriceChangePolicy.ANNOUNCE_NEW_PRICE }, 200, start).amountMicro, 2 * 39_000 + 2 * 19_000, "ANNOUNCE_NEW_PRICE: units starting after valid_until take the next price");
  t.equal(rate({ ...q, priceChangePolicy: pb.PriceChangePolicy.KEEP_START_PRICE }, 200, start).amountMicro, 4 * 39_000, "KEEP_START_PRICE: the announced price holds");
  t.equal(rate(q, 200, start).amountMicro, 4 * 39_000, "no policy: the announced price holds");
});
