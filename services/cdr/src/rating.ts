// Rating with the announced, binding tariff (seed 001 §5.3: the free announcement at call start is
// binding; DOMAIN.md §3 "store the announced price", §6 increments, rounding and VAT). Pure.
import type { callctl } from "@callctl/core";

type Quote = callctl.v1.Quote.$Properties;

/** TKG §110 (DOMAIN.md §3): charging starts no earlier than announcement end + 3 s. */
export const LEGAL_CHARGE_DELAY_MS = 3000;
/** Amounts are rounded once per call to 0.01 ct (100 µ€), the precision of an itemised bill line. */
export const ROUND_MICRO = 100;
/** § 112(1) TKG (DOMAIN.md §3, §6): billing units of carrier selection may not exceed 60 s. */
export const MAX_INCREMENT_S = 60;

/**
 * Billed seconds by increments a/b (DOMAIN.md §6):
 * `billed = d==0 ? 0 : (d<=a ? a : a + ceil((d-a)/b)*b)`.
 * A missing or zero increment means per second; increments above 60 s are capped at 60 s
 * (§ 112(1) TKG): a price list that asks for more is billed as if it said 60.
 */
export function billedSeconds(d: number, a: number, b: number): number {
  if (d <= 0) return 0;
  const first = clampIncrement(a);
  const next = clampIncrement(b);
  if (d <= first) return first;
  return first + Math.ceil((d - first) / next) * next;
}

function clampIncrement(x: number): number {
  return !x || x < 1 ? 1 : Math.min(Math.floor(x), MAX_INCREMENT_S);
}

/**
 * Whole seconds between billable start and end. Milliseconds are truncated (floor), never rounded
 * up: a call of 60.4 s under 60/60 is one minute, not two (DOMAIN.md §6; TKG §110 lets charging
 * start only after announcement + 3 s, so no fraction of a second before that may be billed).
 */
export function billableSeconds(billableStartMs: number, endMs: number): number {
  if (!billableStartMs || !endMs || endMs <= billableStartMs) return 0;
  return Math.floor((endMs - billableStartMs) / 1000);
}

/** Billable start = max(answer, announcement end + charge delay), the delay never below 3 s. */
export function billableStart(answerMs: number, announcementEndMs: number, q: Quote | null | undefined): number {
  if (!answerMs) return 0;
  if (!announcementEndMs) return answerMs;
  const delay = Math.max(Number(q?.chargeDelayMs ?? 0), LEGAL_CHARGE_DELAY_MS);
  return Math.max(answerMs, announcementEndMs + delay);
}

export interface Rated {
  billedS: number;
  amountMicro: number;
  vatMicro: number;
}

/**
 * The price of `d` whole seconds that started at `startMs` under quote `q`.
 * - Free quotes (freephone) are never charged: 0 s, 0 €.
 * - Price change mid-call (DOMAIN.md §3, TKG §110(2)): with ANNOUNCE_NEW_PRICE each billing unit is
 *   priced at the tariff valid when the unit begins (units beginning at or after `valid_until` take
 *   the next price); KEEP_START_PRICE or no policy keeps the announced price until hang-up.
 * - Connect fee + Σ(unit seconds × price per minute) / 60, exact in integers, rounded ONCE per call
 *   down to 100 µ€ (the operator policy: never round against the customer; DOMAIN.md §6 finds no
 *   statutory rounding rule).
 * - VAT is the part of the gross amount at `vat_rate_bp` (prices include VAT, seed 004 §7.4):
 *   vat = round(gross × r / (10000 + r)), half up to the micro-euro.
 */
export function rate(q: Quote | null | undefined, d: number, startMs: number): Rated {
  if (!q || q.free || d <= 0) return { billedS: 0, amountMicro: 0, vatMicro: 0 };
  const a = clampIncrement(Number(q.firstIncrementS ?? 0));
  const b = clampIncrement(Number(q.nextIncrementS ?? 0));
  const billedS = billedSeconds(d, a, b);
  const p1 = BigInt(Math.max(0, Number(q.pricePerMinMicro ?? 0)));
  const until = Number(q.validUntilMs ?? 0);
  const changes = q.priceChangePolicy === 1 && until > 0 && Number(q.nextPricePerMinMicro ?? 0) > 0;
  let sum = 0n; // micro-euro × seconds / minute, scaled by 60
  if (!changes) {
    sum = BigInt(billedS) * p1;
  } else {
    const p2 = BigInt(Number(q.nextPricePerMinMicro));
    // units: first a seconds, then b-second units; each unit priced by its start time
    let offset = 0;
    while (offset < billedS) {
      const len = offset === 0 ? a : b;
      const price = startMs + offset * 1000 >= until ? p2 : p1;
      sum += BigInt(len) * price;
      offset += len;
    }
  }
  const connect = BigInt(Math.max(0, Number(q.connectFeeMicro ?? 0)));
  const exact = connect * 60n + sum; // in µ€/60
  const gross = (exact / (60n * BigInt(ROUND_MICRO))) * BigInt(ROUND_MICRO);
  return { billedS, amountMicro: Number(gross), vatMicro: vatPart(Number(gross), Number(q.vatRateBp ?? 0)) };
}

/** The VAT contained in a gross amount at `bp` basis points (1900 = 19 %), half up. */
export function vatPart(grossMicro: number, bp: number): number {
  if (!bp || grossMicro <= 0) return 0;
  const g = BigInt(grossMicro);
  const r = BigInt(bp);
  const den = 10000n + r;
  return Number((g * r * 2n + den) / (den * 2n));
}
