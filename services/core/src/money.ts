// Money is an integer count of micro-euro (ARCHITECTURE.md "Wire contracts"); never floats on the wire.

export const MICRO_PER_EURO = 1_000_000;
export const MICRO_PER_CENT = 10_000;

/** Parses "3.9ct", "0.039", "1.29€", "1,29 EUR" into micro-euro; throws on anything else. */
export function parseMoney(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new RangeError("money must be finite");
    return Math.round(input * MICRO_PER_EURO);
  }
  const m = /^\s*(-?\d+(?:[.,]\d{1,6})?)\s*(ct|cent|€|eur|euro)?\s*$/i.exec(input);
  if (!m || m[1] === undefined) throw new RangeError(`not an amount of money: ${JSON.stringify(input)}`);
  const value = Number(m[1].replace(",", "."));
  const unit = (m[2] ?? "eur").toLowerCase();
  return Math.round(value * (unit === "ct" || unit === "cent" ? MICRO_PER_CENT : MICRO_PER_EURO));
}

export function formatEuro(micro: number): string {
  return `${(micro / MICRO_PER_EURO).toFixed(4)} €`;
}
