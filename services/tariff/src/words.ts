// German number words for 0-999, as spoken in a price announcement. Each number 0-999 is one
// prompt ("num/<n>", cardinal form: "eins", "hunderteins"); before a masculine or neuter noun the
// number 1 is "ein" ("ein Cent", "ein Euro": prompt "num/1_ein"), before a feminine noun "eine"
// ("eine Minute": "num/1_eine"). Numbers above 1 keep the cardinal form ("hunderteins Cent"),
// which Duden accepts beside the inflected "hundertundein".

const ONES = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"];
const TEENS = ["zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"];
const TENS = ["", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"];

function below100(n: number): string {
  if (n < 10) return ONES[n]!;
  if (n < 20) return TEENS[n - 10]!;
  const t = Math.floor(n / 10);
  const o = n % 10;
  if (o === 0) return TENS[t]!;
  // in compounds "eins" loses its s: einundzwanzig
  return `${o === 1 ? "ein" : ONES[o]}und${TENS[t]}`;
}

/** Cardinal number word, 0-999: 0 "null", 1 "eins", 101 "hunderteins", 999 "neunhundertneunundneunzig". */
export function cardinal(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new RangeError(`cardinal: ${n} is outside 0-999`);
  if (n < 100) return below100(n);
  const h = Math.floor(n / 100);
  const rest = n % 100;
  const head = `${h === 1 ? "" : ONES[h]}hundert`;
  return rest === 0 ? head : head + below100(rest);
}

export type Gender = "m" | "f" | "n";

/** The prompt id of a number said before a noun of the given gender (only 1 changes). */
export function numberPrompt(n: number, before?: Gender): string {
  if (n === 1 && before) return before === "f" ? "num/1_eine" : "num/1_ein";
  return `num/${n}`;
}

/** The word of a number said before a noun of the given gender. */
export function numberWord(n: number, before?: Gender): string {
  if (n === 1 && before) return before === "f" ? "eine" : "ein";
  return cardinal(n);
}

/** Digits after the decimal comma are read one by one: 3,95 -> "drei Komma neun fünf". */
export function digitPrompts(digits: string): string[] {
  return [...digits].map((d) => `num/${d}`);
}
