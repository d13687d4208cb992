// Rating: billed seconds and amount of a call from its (binding) quote. 001 §5.3: the announced
// tariff is what is billed; 004 §7.3: increments per price list; 004 §7.4 / DOMAIN.md §6: VAT included.
//
// The formula (DOMAIN.md §6):
//   d      = billable seconds, counted from max(answer, announcement end + charge_delay) to hang-up,
//            whole seconds (the caller rounds a started second up)
//   billed = d == 0 ? 0 : d <= a ? a : a + ceil((d - a) / b) * b
//   blocks = [0, a), [a, a+b), [a+2b, ...) up to billed; each block costs its length at the price
//            per minute in force when the block starts: the quote's price, or the next price for
//            blocks starting at or after valid_until (policy ANNOUNCE_NEW_PRICE only; KEEP_START_PRICE
//            keeps the start price to the end)
//   amount = (d > 0 ? connect_fee : 0) + round_half_up(sum(len_s * price_per_min) / 60)
//            computed exactly in integers (micro-euro x seconds) and rounded once per call to whole
//            micro-euro (operator policy; DOMAIN.md §6 found no statutory rounding rule)
//   vat    = amount - round_half_up(amount * 10000 / (10000 + vat_rate_bp))   (prices include VAT)
//   free quotes (freephone, ad-funded) charge 0 but keep the list amount for the record.
import { ValidationError, pb, type callctl } from "@callctl/core";

export interface Rated {
  billedS: number;
  amountMicro: number;
  vatMicro: number;
  /** what the call is worth at list price, also when it is free to the caller (ad-funded) */
  listAmountMicro: number;
}

/** Billed seconds for d seconds with increments a/b (DOMAIN.md §6 table). */
export function billedSeconds(d: number, a: number, b: number): number {
  if (d <= 0) return 0;
  if (d <= a) return a;
  return a + Math.ceil((d - a) / b) * b;
}

/** Integer division with rounding half up (non-negative operands). */
const divRound = (n: number, d: number) => Math.floor((2 * n + d) / (2 * d));

export type RateQuote = Pick<callctl.v1.IQuote, "pricePerMinMicro" | "firstIncrementS" | "nextIncrementS" | "connectFeeMicro" | "vatRateBp" | "validUntilMs" | "nextPricePerMinMicro" | "priceChangePolicy" | "free">;

/**
 * Rates `seconds` of billable time that started at `startMs` (needed only when the call may cross
 * the quote's valid_until).
 */
export function rate(q: RateQuote, seconds: number, startMs = 0): Rated {
  if (!Number.isInteger(seconds) || seconds < 0) throw new ValidationError("seconds must be a whole number >= 0", { seconds: String(seconds) });
  const a = Number(q.firstIncrementS ?? 0);
  const b = Number(q.nextIncrementS ?? 0);
  if (a < 1 || b < 1) throw new ValidationError("quote has no increments", {});
  const price = Number(q.pricePerMinMicro ?? 0);
  const billed = billedSeconds(seconds, a, b);
  const until = Number(q.validUntilMs ?? 0);
  const next = Number(q.nextPricePerMinMicro ?? price);
  const changes = until > 0 && startMs > 0 && q.priceChangePolicy !== pb.PriceChangePolicy.KEEP_START_PRICE && next !== price;
  let sum: number; // micro-euro x seconds per minute
  if (!changes || billed === 0) {
    sum = billed * price;
  } else {
    // blocks starting before the change (offset t, in seconds from startMs) cost the start price
    const changeAt = (until - startMs) / 1000;
    let oldS: number;
    if (changeAt <= 0) oldS = 0;
    else if (changeAt <= a || billed === a) oldS = a;
    else oldS = Math.min(billed, a + Math.ceil((changeAt - a) / b) * b);
    sum = oldS * price + (billed - oldS) * next;
  }
  const list = (seconds > 0 ? Number(q.connectFeeMicro ?? 0) : 0) + divRound(sum, 60);
  const amount = q.free ? 0 : list;
  const bp = Number(q.vatRateBp ?? 0);
  const vat = amount - divRound(amount * 10_000, 10_000 + bp);
  return { billedS: billed, amountMicro: amount, vatMicro: vat, listAmountMicro: list };
}
