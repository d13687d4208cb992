// German number words in prices, checked against an independent rule set written here (not the
// implementation's output): every price 0.0-999.9 Cent and every euro amount 0.000-99.990 € in
// 0.1-cent steps. Rules: TKG §110(1) (cent or euro, never both), DOMAIN.md §3.
import t from "tap";
import { amount, priceAnnouncement, spoken } from "../src/index.ts";

// ---- the independent rule set ------------------------------------------------------------
const UNITS: Record<number, string> = { 0: "null", 1: "eins", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht", 9: "neun" };
const SPECIAL: Record<number, string> = {
  10: "zehn", 11: "elf", 12: "zwölf", 13: "dreizehn", 14: "vierzehn", 15: "fünfzehn", 16: "sechzehn", 17: "siebzehn", 18: "achtzehn", 19: "neunzehn",
  20: "zwanzig", 30: "dreißig", 40: "vierzig", 50: "fünfzig", 60: "sechzig", 70: "siebzig", 80: "achtzig", 90: "neunzig",
};
const HUNDREDS = ["", "hundert", "zweihundert", "dreihundert", "vierhundert", "fünfhundert", "sechshundert", "siebenhundert", "achthundert", "neunhundert"];
function two(n: number): string {
  if (SPECIAL[n]) return SPECIAL[n];
  if (n < 10) return UNITS[n]!;
  const unit = n % 10 === 1 ? "ein" : UNITS[n % 10]; // einundzwanzig, not einsundzwanzig
  return `${unit}und${SPECIAL[n - (n % 10)]}`;
}
function word(n: number): string {
  if (n < 100) return two(n);
  return HUNDREDS[Math.floor(n / 100)]! + (n % 100 === 0 ? "" : two(n % 100));
}
// before the masculine nouns Cent and Euro, 1 is "ein"
const beforeNoun = (n: number) => (n === 1 ? "ein" : word(n));

t.test("literal words", async (t) => {
  const cases: [number, string][] = [[0, "null"], [1, "eins"], [11, "elf"], [16, "sechzehn"], [17, "siebzehn"], [21, "einundzwanzig"], [30, "dreißig"], [61, "einundsechzig"], [70, "siebzig"], [100, "hundert"], [101, "hunderteins"], [117, "hundertsiebzehn"], [330, "dreihundertdreißig"], [999, "neunhundertneunundneunzig"]];
  for (const [n, w] of cases) t.equal(word(n), w, `rule set: ${n}`);
});

t.test("every cent price 0,0-999,9 Cent", async (t) => {
  let bad = 0;
  for (let tenths = 0; tenths <= 9999; tenths++) {
    const whole = Math.floor(tenths / 10);
    const dec = tenths % 10;
    const text = dec === 0 ? `${whole} Cent` : `${whole},${dec} Cent`;
    const words = dec === 0 ? `${beforeNoun(whole)} Cent` : `${word(whole)} Komma ${word(dec)} Cent`;
    const a = amount(tenths * 1000, "cent");
    if (a.text !== text || spoken(a.playlist) !== words) {
      if (bad++ < 5) t.fail(`${tenths / 10} ct: got "${a.text}" / "${spoken(a.playlist)}", want "${text}" / "${words}"`);
    }
  }
  t.equal(bad, 0, "all 10,000 cent prices");
});

t.test("every euro amount 0,000-99,990 € in 0.1-cent steps", async (t) => {
  let bad = 0;
  for (let m = 0; m <= 99_990; m++) {
    const euros = Math.floor(m / 1000);
    const milli = m % 1000; // thousandths of a euro
    let text: string;
    let words: string;
    if (milli % 10 !== 0) {
      const digits = String(milli).padStart(3, "0");
      text = `${euros},${digits} Euro`;
      words = `${word(euros)} Komma ${[...digits].map((d) => word(Number(d))).join(" ")} Euro`;
    } else if (milli === 0) {
      text = `${euros} Euro`;
      words = `${beforeNoun(euros)} Euro`;
    } else {
      const cents = milli / 10;
      text = `${euros} Euro ${String(cents).padStart(2, "0")}`;
      words = `${beforeNoun(euros)} Euro ${word(cents)}`;
    }
    const a = amount(m * 1000, "euro");
    if (a.text !== text || spoken(a.playlist) !== words) {
      if (bad++ < 5) t.fail(`${m / 1000} €: got "${a.text}" / "${spoken(a.playlist)}", want "${text}" / "${words}"`);
    }
  }
  t.equal(bad, 0, "all 99,991 euro amounts");
});

t.test("the announcements of the issue", async (t) => {
  const base = { connectFeeMicro: 0, chargeDelayMs: 3000, free: false } as const;
  const a = priceAnnouncement({ ...base, pricePerMinMicro: 39_000, unit: "cent" });
  t.match(a.text, /^Dieses Gespräch kostet 3,9 Cent pro Minute\. Die Abrechnung beginnt 3 Sekunden nach dem Ende dieser Ansage\.$/);
  t.equal(spoken(a.playlist), "Dieses Gespräch kostet drei Komma neun Cent pro Minute Die Abrechnung beginnt drei Sekunden nach dem Ende dieser Ansage.");
  const e = priceAnnouncement({ ...base, pricePerMinMicro: 1_290_000, unit: "auto" });
  t.match(e.text, /kostet 1 Euro 29 pro Minute/);
  t.match(spoken(e.playlist), /kostet ein Euro neunundzwanzig pro Minute/);
  t.equal(e.unit, "euro");
  const z = priceAnnouncement({ ...base, pricePerMinMicro: 0, unit: "cent" });
  t.match(z.text, /kostet 0 Cent pro Minute/);
  t.match(spoken(z.playlist), /kostet null Cent pro Minute/);
  const one = priceAnnouncement({ ...base, pricePerMinMicro: 10_000, unit: "cent" });
  t.match(spoken(one.playlist), /kostet ein Cent pro Minute/);
  const onePoint = priceAnnouncement({ ...base, pricePerMinMicro: 19_000, unit: "cent" });
  t.match(spoken(onePoint.playlist), /kostet eins Komma neun Cent/);
  const fee = priceAnnouncement({ ...base, pricePerMinMicro: 39_000, connectFeeMicro: 90_000, unit: "auto" });
  t.match(fee.text, /3,9 Cent pro Minute, zuzüglich 9 Cent pro Verbindung\./);
  const feeEuro = priceAnnouncement({ ...base, pricePerMinMicro: 39_000, connectFeeMicro: 1_000_000, unit: "auto" });
  t.match(feeEuro.text, /kostet 0,039 Euro pro Minute, zuzüglich 1 Euro pro Verbindung/, "one euro amount makes the whole announcement euro");
  t.notMatch(feeEuro.text, /Cent/);
  const free = priceAnnouncement({ ...base, pricePerMinMicro: 39_000, unit: "cent", free: true });
  t.equal(free.text, "Dieses Gespräch ist für Sie kostenlos.");
});
