// Generated data for the routing benchmarks: rate decks of N prefixes over real country codes and
// a pool of dialed strings (German fixed/mobile, international fixed/mobile).
import { join } from "node:path";
import { readYamlConfig } from "@callctl/core";

export const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");
const CCS = ["43", "41", "33", "31", "32", "34", "39", "44", "45", "46", "47", "48", "30", "36", "351", "420", "1", "7", "86", "91", "90", "20", "61", "55", "52", "81", "82", "27", "234", "62"];

/** `n` distinct prefixes (country code + 2-7 more digits), each with a cost in micro-euro. */
export function generateRates(n: number, seed = 1): Record<string, number> {
  const rates: Record<string, number> = { "": 150_000, "49": 900, "4915": 2000, "4916": 2000, "4917": 2000 };
  let x = seed;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff) / 0x80000000);
  let i = 0;
  let count = 5;
  while (count < n + 5) {
    const cc = CCS[i++ % CCS.length]!;
    const len = 2 + Math.floor(rnd() * 6);
    const p = cc + String(Math.floor(rnd() * 10 ** len)).padStart(len, "0");
    if (rates[p] === undefined) count++;
    rates[p] = 500 + Math.floor(rnd() * 50_000);
  }
  return rates;
}

/** The example document with every trunk's rate deck replaced by a generated one of `n` prefixes. */
export function documentWithDecks(n: number): Record<string, unknown> {
  const { doc } = readYamlConfig(EXAMPLE);
  const decks = doc.rateDecks as Record<string, { version: string; rates: Record<string, number> }>;
  let seed = 1;
  for (const d of Object.values(decks)) d.rates = generateRates(n, seed++);
  return doc;
}

/** Dialed strings: half German (fixed, mobile, local), half international (a pool of `intl` numbers). */
export function dialedPool(size: number, intl = 10_000): string[] {
  const out: string[] = [];
  const templates = ["0109703012345", "01097089123456", "010970151123456", "01097017612345", "01097123456", "0109700436641234", "01097004420712345", "010970012133734", "0109700905321234", "01097003361234", "0109700861380013"];
  for (let i = 0; i < size; i++) {
    const t = templates[i % templates.length]!;
    const german = !t.startsWith("0109700");
    const suffix = german ? String(i % 100).padStart(2, "0") : String(i % intl).padStart(4, "0").slice(-2);
    const pad = german ? String(i % 97).padStart(2, "0") : String(Math.floor((i % intl) / 100)).padStart(2, "0");
    out.push(`${t.slice(0, -2)}${pad}${suffix}`.slice(0, t.length + 2));
  }
  return out;
}
