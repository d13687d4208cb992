// Retention and privacy on the billing sink, every change written to the audit table.
// - Traffic data is deleted 6 months after the invoice is sent (seed 001 §8.2/§9.3, 004 §9.2 and
//   §12.2; DOMAIN.md §4); prepaid statements count as invoices (001 §9.3 "Abbuchung").
// - A dispute hold keeps all of an account's records until the objection is resolved
//   (002 §11.2, 004 §12.3).
// - On request: shortened storage by the last three digits, or deletion (001 §9.3).
import type pg from "pg";
import { CallctlError } from "@callctl/core";
import { checkSchemaName } from "./migrate.ts";

export class HoldActiveError extends CallctlError {
  constructor(account: string) {
    super("HOLD_ACTIVE", `account ${account} is under a dispute hold: its records are kept until the hold is released (002 §11.2)`, { details: { account } });
  }
}

export interface Ctx {
  pool: pg.Pool;
  schema?: string;
  actor: string;
}

async function tx<T>(c: Ctx, fn: (q: pg.PoolClient, s: string) => Promise<T>): Promise<T> {
  const s = checkSchemaName(c.schema ?? "cdr");
  const client = await c.pool.connect();
  try {
    await client.query("BEGIN");
    const r = await fn(client, s);
    await client.query("COMMIT");
    return r;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function audit(q: pg.PoolClient, s: string, c: Ctx, action: string, account: string | null, rows: number, details: Record<string, unknown>): Promise<void> {
  await q.query(`INSERT INTO ${s}.audit (actor, action, account_id, rows, details) VALUES ($1, $2, $3, $4, $5)`, [c.actor, action, account, rows, JSON.stringify(details)]);
}

/** Records an invoice (or prepaid statement) as sent: starts the 6-month clock of its calls. */
export async function markInvoiced(c: Ctx, a: { invoiceId: string; account: string; fromMs: number; toMs: number; sentAt: Date }): Promise<number> {
  return tx(c, async (q, s) => {
    const r = await q.query(`UPDATE ${s}.cdrs SET invoiced_at = $4 WHERE account_id = $1 AND started_ms >= $2 AND started_ms < $3 AND invoiced_at IS NULL RETURNING amount_micro`, [a.account, a.fromMs, a.toMs, a.sentAt]);
    const amount = r.rows.reduce((x, row) => x + Number(row.amount_micro), 0);
    await q.query(`INSERT INTO ${s}.invoices VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (invoice_id) DO NOTHING`, [a.invoiceId, a.account, a.fromMs, a.toMs, a.sentAt, r.rowCount ?? 0, amount]);
    await audit(q, s, c, "invoice.mark", a.account, r.rowCount ?? 0, { invoice_id: a.invoiceId, from_ms: a.fromMs, to_ms: a.toMs, sent_at: a.sentAt.toISOString() });
    return r.rowCount ?? 0;
  });
}

export interface RetentionResult {
  deleted: number;
  kept_on_hold: number;
  cutoff: string;
}

/** Deletes records whose invoice was sent more than `months` ago, except accounts on hold. */
export async function runRetention(c: Ctx, opts: { now?: Date; months?: number; dryRun?: boolean } = {}): Promise<RetentionResult> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - (opts.months ?? 6));
  return tx(c, async (q, s) => {
    const held = `EXISTS (SELECT 1 FROM ${s}.holds h WHERE h.account_id = c.account_id AND h.released_at IS NULL)`;
    const kept = Number((await q.query(`SELECT count(*) AS n FROM ${s}.cdrs c WHERE invoiced_at < $1 AND ${held}`, [cutoff])).rows[0].n);
    let deleted = 0;
    if (opts.dryRun) {
      deleted = Number((await q.query(`SELECT count(*) AS n FROM ${s}.cdrs c WHERE invoiced_at < $1 AND NOT ${held}`, [cutoff])).rows[0].n);
    } else {
      const r = await q.query(`WITH d AS (DELETE FROM ${s}.cdrs c WHERE invoiced_at < $1 AND NOT ${held} RETURNING call_id) INSERT INTO ${s}.erased (call_id, why) SELECT call_id, 'retention' FROM d ON CONFLICT DO NOTHING`, [cutoff]);
      deleted = r.rowCount ?? 0;
      await audit(q, s, c, "retention.run", null, deleted, { cutoff: cutoff.toISOString(), kept_on_hold: kept });
    }
    return { deleted, kept_on_hold: kept, cutoff: cutoff.toISOString() };
  });
}

export async function holdAdd(c: Ctx, account: string, reason: string): Promise<boolean> {
  return tx(c, async (q, s) => {
    const r = await q.query(`INSERT INTO ${s}.holds (account_id, reason) VALUES ($1, $2) ON CONFLICT (account_id) WHERE released_at IS NULL DO NOTHING`, [account, reason]);
    await audit(q, s, c, "hold.add", account, r.rowCount ?? 0, { reason });
    return (r.rowCount ?? 0) > 0;
  });
}

export async function holdRelease(c: Ctx, account: string, reason: string): Promise<boolean> {
  return tx(c, async (q, s) => {
    const r = await q.query(`UPDATE ${s}.holds SET released_at = now() WHERE account_id = $1 AND released_at IS NULL`, [account]);
    await audit(q, s, c, "hold.release", account, r.rowCount ?? 0, { reason });
    return (r.rowCount ?? 0) > 0;
  });
}

export async function holdList(c: Ctx): Promise<{ account_id: string; reason: string; created_at: Date }[]> {
  const s = checkSchemaName(c.schema ?? "cdr");
  return (await c.pool.query(`SELECT account_id, reason, created_at FROM ${s}.holds WHERE released_at IS NULL ORDER BY created_at`)).rows;
}

export interface Selection {
  account: string;
  fromMs?: number;
  toMs?: number;
}

function where(sel: Selection): { sql: string; args: unknown[] } {
  return { sql: "account_id = $1 AND started_ms >= $2 AND started_ms < $3", args: [sel.account, sel.fromMs ?? 0, sel.toMs ?? Number.MAX_SAFE_INTEGER] };
}

/** Deletes an account's records on request; refused while a dispute hold is active unless forced. */
export async function erase(c: Ctx, sel: Selection, opts: { force?: boolean; reason: string }): Promise<{ deleted: number; streamSeqs: number[] }> {
  return tx(c, async (q, s) => {
    const hold = await q.query(`SELECT 1 FROM ${s}.holds WHERE account_id = $1 AND released_at IS NULL`, [sel.account]);
    if ((hold.rowCount ?? 0) > 0 && !opts.force) throw new HoldActiveError(sel.account);
    const w = where(sel);
    const r = await q.query(`WITH d AS (DELETE FROM ${s}.cdrs WHERE ${w.sql} RETURNING call_id, stream_seq), t AS (INSERT INTO ${s}.erased (call_id, why) SELECT call_id, 'request' FROM d ON CONFLICT DO NOTHING) SELECT stream_seq FROM d`, w.args);
    await audit(q, s, c, "erase", sel.account, r.rowCount ?? 0, { from_ms: sel.fromMs ?? null, to_ms: sel.toMs ?? null, reason: opts.reason, forced: !!opts.force });
    return { deleted: r.rowCount ?? 0, streamSeqs: r.rows.map((x) => Number(x.stream_seq)) };
  });
}

/** Shortens stored destination numbers by three digits; `future` also stores new calls shortened. */
export async function shorten(c: Ctx, sel: Selection, opts: { future?: boolean; reason: string }): Promise<number> {
  return tx(c, async (q, s) => {
    const w = where(sel);
    const r = await q.query(
      `UPDATE ${s}.cdrs SET dialed = ${s}.shorten_number(dialed), dest_e164 = ${s}.shorten_number(dest_e164), shortened = true,
              legs = (SELECT coalesce(jsonb_agg(l || jsonb_build_object('dialed', ${s}.shorten_number(l->>'dialed'), 'e164', ${s}.shorten_number(l->>'e164'))), '[]'::jsonb) FROM jsonb_array_elements(legs) l)
        WHERE ${w.sql} AND NOT shortened`,
      w.args,
    );
    if (opts.future) await q.query(`INSERT INTO ${s}.privacy (account_id, shorten) VALUES ($1, true) ON CONFLICT (account_id) DO UPDATE SET shorten = true, updated_at = now()`, [sel.account]);
    await audit(q, s, c, "shorten", sel.account, r.rowCount ?? 0, { from_ms: sel.fromMs ?? null, to_ms: sel.toMs ?? null, future: !!opts.future, reason: opts.reason });
    return r.rowCount ?? 0;
  });
}
