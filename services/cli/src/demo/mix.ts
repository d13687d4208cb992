// The demo's traffic mix: what real callers of the example network dial. Pure: a seeded random
// source in, call specs out. Every entry names the configuration or seed clause it exercises.

export interface MixEntry {
  name: string;
  weight: number;
  /** Builds the dialed string and caller for one call. */
  make: (rnd: () => number) => { caller: string; dialed: string };
  /** Expected first decision, for the summary's "by scenario" table (informational). */
  expect: "route" | "reject";
}

const digits = (rnd: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join("");
/** A Telekom fixed line (open call-by-call works from those, DOMAIN.md §1.1). */
const berlinCli = (rnd: () => number) => `4930${digits(rnd, 7)}`;
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

export const DEFAULT_MIX: MixEntry[] = [
  { name: "cbc national fixed (01097)", weight: 22, expect: "route", make: (r) => ({ caller: berlinCli(r), dialed: `01097${pick(r, ["089", "040", "0221", "069"])}${digits(r, 7)}` }) },
  { name: "cbc national mobile (01052)", weight: 16, expect: "route", make: (r) => ({ caller: berlinCli(r), dialed: `01052${pick(r, ["0151", "0160", "0171", "0176"])}${digits(r, 7)}` }) },
  { name: "cbc local (01012)", weight: 6, expect: "route", make: (r) => ({ caller: berlinCli(r), dialed: `01012${1 + Math.floor(r() * 8)}${digits(r, 6)}` }) },
  { name: "cbc international AT mobile (010018)", weight: 8, expect: "route", make: (r) => ({ caller: berlinCli(r), dialed: `0100180043664${digits(r, 7)}` }) },
  { name: "cbc international TR (01097)", weight: 6, expect: "route", make: (r) => ({ caller: berlinCli(r), dialed: `010970090${pick(r, ["212", "532"])}${digits(r, 7)}` }) },
  { name: "cbc international US (010018)", weight: 4, expect: "route", make: (r) => ({ caller: berlinCli(r), dialed: `0100180012125${digits(r, 6)}` }) },
  { name: "prepaid registered CLI (01088)", weight: 5, expect: "route", make: (r) => ({ caller: "493012345670", dialed: `01088030${digits(r, 7)}` }) },
  { name: "prepaid unregistered CLI (01088)", weight: 2, expect: "reject", make: (r) => ({ caller: berlinCli(r), dialed: `01088030${digits(r, 7)}` }) },
  // seed 001 §2.2: no non-geographic numbers via carrier selection (premium, mass traffic, directory)
  { name: "blocked premium 0900", weight: 3, expect: "reject", make: (r) => ({ caller: berlinCli(r), dialed: `010970900${digits(r, 7)}` }) },
  { name: "blocked mass traffic 0137", weight: 2, expect: "reject", make: (r) => ({ caller: berlinCli(r), dialed: `010520137${digits(r, 7)}` }) },
  { name: "blocked directory 11880", weight: 1, expect: "reject", make: (r) => ({ caller: berlinCli(r), dialed: "0109711880" }) },
  // DOMAIN.md §1.3: 110/112 never via carrier selection
  { name: "emergency 112 via 010xx", weight: 1, expect: "reject", make: (r) => ({ caller: berlinCli(r), dialed: "01097112" }) },
  { name: "unknown carrier code", weight: 1, expect: "reject", make: (r) => ({ caller: berlinCli(r), dialed: `01099089${digits(r, 7)}` }) },
];

/** Mulberry32: a small seeded PRNG so a demo run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickEntry(mix: MixEntry[], rnd: () => number): MixEntry {
  const total = mix.reduce((s, e) => s + e.weight, 0);
  let x = rnd() * total;
  for (const e of mix) {
    x -= e.weight;
    if (x < 0) return e;
  }
  return mix[mix.length - 1] as MixEntry;
}
