// Europe/Berlin time without Intl, checked against Intl (full ICU) across 16 years of DST changes;
// time bands across DST changes and midnight (DOMAIN.md §3: the price in force at call time, 001 §5.2.1).
import t from "tap";
import { berlinLocal, germanHolidays, parseBerlinTime } from "../src/index.ts";
import { at, fixtureQuoter } from "./fixture.ts";

t.test("berlinLocal matches Intl every 15 minutes around each change and hourly otherwise", async (t) => {
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short" });
  const dows = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  let bad = 0;
  const check = (ms: number) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const l = berlinLocal(ms);
    const want = `${p.year}-${p.month}-${p.day} ${Number(p.hour) * 60 + Number(p.minute)} ${dows.indexOf(p.weekday!)}`;
    const got = `${l.date} ${l.minute} ${l.dow}`;
    if (got !== want && bad++ < 5) t.fail(`${new Date(ms).toISOString()}: got ${got}, want ${want}`);
  };
  for (let ms = Date.UTC(2020, 0, 1); ms < Date.UTC(2036, 0, 1); ms += 3_600_000) check(ms);
  for (let y = 2020; y < 2036; y++) for (const month of [2, 9]) for (let ms = Date.UTC(y, month, 24); ms < Date.UTC(y, month + 1, 1); ms += 900_000) check(ms);
  t.equal(bad, 0);
});

t.test("local times without offset are Berlin time; gap and overlap resolve sensibly", async (t) => {
  t.equal(parseBerlinTime("2027-01-01"), at("2026-12-31T23:00:00Z"));
  t.equal(parseBerlinTime("2026-07-01T12:00"), at("2026-07-01T10:00:00Z"));
  t.equal(parseBerlinTime("2026-03-29T02:30"), at("2026-03-29T01:30:00Z"), "spring gap: 02:30 CET = 03:30 CEST");
  t.equal(parseBerlinTime("2026-10-25T02:30"), at("2026-10-25T00:30:00Z"), "autumn overlap: first occurrence");
  t.equal(parseBerlinTime("2026-05-01T10:00:00Z"), at("2026-05-01T10:00:00Z"));
  t.throws(() => parseBerlinTime("tomorrow"));
});

t.test("nationwide holidays", async (t) => {
  t.same(germanHolidays(2026), ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-25", "2026-12-26"]);
});

const q = fixtureQuoter();

t.test("weekday day band ends at 18:00, night band holds over a DST weekend (spring)", async (t) => {
  const day = q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-03-27T17:00:00+01:00") });
  t.equal(day.pricePerMinMicro, 29_000);
  t.equal(day.validFromMs, at("2026-03-27T08:00:00+01:00"));
  t.equal(day.validUntilMs, at("2026-03-27T18:00:00+01:00"));
  t.equal(day.nextPricePerMinMicro, 9_000);
  const night = q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-03-27T18:00:00+01:00") });
  t.equal(night.pricePerMinMicro, 9_000);
  t.equal(night.validUntilMs, at("2026-03-30T08:00:00+02:00"), "Monday 08:00 CEST, after the change to summer time");
  t.equal(night.validFromMs, at("2026-03-27T18:00:00+01:00"));
});

t.test("the same across the autumn change", async (t) => {
  const night = q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-10-24T12:00:00+02:00") });
  t.equal(night.validFromMs, at("2026-10-23T18:00:00+02:00"));
  t.equal(night.validUntilMs, at("2026-10-26T08:00:00+01:00"), "Monday 08:00 CET");
  const mon = q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-10-26T07:59:59+01:00") });
  t.equal(mon.pricePerMinMicro, 9_000);
  t.equal(q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-10-26T08:00:00+01:00") }).pricePerMinMicro, 29_000);
});

t.test("a band across midnight", async (t) => {
  const late = q.quote({ brand: "01097", zone: "DE_MOBILE", atMs: at("2026-06-10T23:30:00+02:00") });
  t.equal(late.pricePerMinMicro, 49_000);
  t.equal(late.validFromMs, at("2026-06-10T22:00:00+02:00"));
  t.equal(late.validUntilMs, at("2026-06-11T06:00:00+02:00"));
  t.equal(q.quote({ brand: "01097", zone: "DE_MOBILE", atMs: at("2026-06-11T00:00:00+02:00") }).pricePerMinMicro, 49_000, "midnight itself");
  t.equal(q.quote({ brand: "01097", zone: "DE_MOBILE", atMs: at("2026-06-11T06:00:00+02:00") }).pricePerMinMicro, 99_000);
});

t.test("a band starting inside the spring gap starts when the clock jumps", async (t) => {
  const before = q.quote({ brand: "01097", zone: "DE_NATSUB", atMs: at("2026-03-29T01:59:00+01:00") });
  t.equal(before.pricePerMinMicro, 15_000);
  t.equal(before.validUntilMs, at("2026-03-29T03:00:00+02:00"));
  const inside = q.quote({ brand: "01097", zone: "DE_NATSUB", atMs: at("2026-03-29T03:00:00+02:00") });
  t.equal(inside.pricePerMinMicro, 5_000);
  t.equal(inside.validUntilMs, at("2026-03-29T05:00:00+02:00"));
});

t.test("holidays use the non-weekday price", async (t) => {
  t.equal(q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-12-25T12:00:00+01:00") }).pricePerMinMicro, 9_000, "1. Weihnachtstag (Friday)");
  t.equal(q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-12-24T12:00:00+01:00") }).pricePerMinMicro, 9_000, "extra holiday from config");
  t.equal(q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2026-12-23T12:00:00+01:00") }).pricePerMinMicro, 29_000);
});

t.test("future price list: valid_until is its start", async (t) => {
  const eu = q.quote({ brand: "01097", zone: "EU_FIXED", atMs: at("2026-12-31T20:00:00+01:00") });
  t.equal(eu.pricePerMinMicro, 14_900);
  t.equal(eu.tariffId, "01097-2026");
  t.equal(eu.validUntilMs, at("2027-01-01T00:00:00+01:00"));
  t.equal(eu.nextPricePerMinMicro, 19_000);
  const y27 = q.quote({ brand: "01097", zone: "EU_FIXED", atMs: at("2027-01-02T12:00:00+01:00") });
  t.equal(y27.tariffId, "01097-2027");
  t.equal(y27.validFromMs, at("2027-01-01T00:00:00+01:00"));
  t.equal(y27.validUntilMs, 0, "no change known");
  t.throws(() => q.quote({ brand: "01097", zone: "DE_FIXED", atMs: at("2027-01-02T12:00:00+01:00") }), { code: "NO_TARIFF" }, "the 2027 list has no DE_FIXED");
});
