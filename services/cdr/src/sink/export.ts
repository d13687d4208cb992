// The itemised bill (Einzelverbindungsnachweis) of one account and period from the sink.
// - destination numbers shortened by their last three digits when the customer chose that
//   (seed 001 §9.3, TTDSG § 11(1), DOMAIN.md §4); rows stored shortened stay shortened;
// - freephone calls are not on the caller's bill (DOMAIN.md §4 "Free calls");
// - only billed calls (DOMAIN.md §4: the EVN covers paid calls);
// - each line's amount is the Cdr's amount, already rounded once per call to 0.01 ct, so the total
//   is the exact sum of the lines; the payable total is that sum rounded half up to the cent.
import type pg from "pg";
import { checkSchemaName } from "./migrate.ts";
import { shortenNumber } from "./rows.ts";

export interface ExportQuery {
  account: string;
  fromMs: number;
  toMs: number;
  truncate?: boolean;
  schema?: string;
}

export interface BillLine {
  call_id: string;
  started: string;
  destination: string;
  country: string;
  zone: string;
  billed_s: number;
  duration: string;
  price_per_min: string;
  amount_eur: string;
  vat_eur: string;
  amount_micro: number;
  vat_micro: number;
}

export interface Bill {
  account: string;
  from: string;
  to: string;
  truncated: boolean;
  lines: BillLine[];
  totals: { calls: number; billed_s: number; amount_micro: number; vat_micro: number; amount_eur: string; vat_eur: string; payable_eur: string };
}

/** Micro-euro as euro with 4 decimals, exact (amounts are whole multiples of 100 µ€). */
export function eur4(micro: number): string {
  const sign = micro < 0 ? "-" : "";
  const m = Math.abs(micro);
  return `${sign}${Math.floor(m / 1e6)}.${String(Math.floor((m % 1e6) / 100)).padStart(4, "0")}`;
}

/** Micro-euro rounded half up to the cent, as euro with 2 decimals. */
export function eur2(micro: number): string {
  const cents = Math.floor((Math.abs(micro) + 5000) / 10_000);
  return `${micro < 0 ? "-" : ""}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

const berlin = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });

export async function itemisedBill(pool: pg.Pool, q: ExportQuery): Promise<Bill> {
  const s = checkSchemaName(q.schema ?? "cdr");
  const { rows } = await pool.query(
    `SELECT call_id, started_ms, dest_e164, dest_country, dest_zone, billed_s, price_per_min_micro, amount_micro, vat_micro
       FROM ${s}.cdrs
      WHERE account_id = $1 AND started_ms >= $2 AND started_ms < $3
        AND (billed_s > 0 OR amount_micro > 0)
        AND dest_type <> 'FREEPHONE' AND coalesce((tariff->>'free')::boolean, false) = false
      ORDER BY started_ms, call_id`,
    [q.account, q.fromMs, q.toMs],
  );
  const lines: BillLine[] = rows.map((r) => {
    const e164 = String(r.dest_e164);
    const billed = Number(r.billed_s);
    return {
      call_id: r.call_id,
      started: berlin.format(new Date(Number(r.started_ms))),
      destination: `+${q.truncate ? shortenNumber(e164) : e164}`,
      country: r.dest_country,
      zone: r.dest_zone,
      billed_s: billed,
      duration: `${Math.floor(billed / 60)}:${String(billed % 60).padStart(2, "0")}`,
      price_per_min: eur4(Number(r.price_per_min_micro)),
      amount_eur: eur4(Number(r.amount_micro)),
      vat_eur: eur4(Number(r.vat_micro)),
      amount_micro: Number(r.amount_micro),
      vat_micro: Number(r.vat_micro),
    };
  });
  const amount = lines.reduce((a, l) => a + l.amount_micro, 0);
  const vat = lines.reduce((a, l) => a + l.vat_micro, 0);
  return {
    account: q.account,
    from: new Date(q.fromMs).toISOString(),
    to: new Date(q.toMs).toISOString(),
    truncated: !!q.truncate,
    lines,
    totals: { calls: lines.length, billed_s: lines.reduce((a, l) => a + l.billed_s, 0), amount_micro: amount, vat_micro: vat, amount_eur: eur4(amount), vat_eur: eur4(vat), payable_eur: eur2(amount) },
  };
}

const CSV_COLUMNS = ["started", "destination", "country", "zone", "duration", "billed_s", "price_per_min", "amount_eur", "vat_eur"] as const;

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function billCsv(b: Bill): string {
  const out = [CSV_COLUMNS.join(",")];
  for (const l of b.lines) out.push(CSV_COLUMNS.map((c) => csvCell(l[c])).join(","));
  out.push(["TOTAL", "", "", "", `${b.totals.calls} calls`, b.totals.billed_s, "", b.totals.amount_eur, b.totals.vat_eur].map(csvCell).join(","));
  out.push(["PAYABLE", "", "", "", "", "", "", b.totals.payable_eur, ""].map(csvCell).join(","));
  return `${out.join("\n")}\n`;
}
