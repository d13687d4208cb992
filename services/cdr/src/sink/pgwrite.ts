// Writing a batch of rows (rows.ts) into `<schema>.cdrs`: insert-or-ignore by call id, never a call
// id listed in `<schema>.erased`, all or nothing. Two ways, same result:
// - "copy" (default): in one transaction, COPY (text format, copy.ts) into a per-connection
//   temporary staging table (ON COMMIT DELETE ROWS: empty again after each transaction), then
//   INSERT ... SELECT from it. Node only concatenates escaped text; PostgreSQL parses no JSON
//   document of the whole batch.
// - "json": one INSERT ... SELECT FROM jsonb_populate_recordset($1::jsonb) (the path before COPY,
//   kept for the benchmark's A/B comparison).
import { finished } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { copyLine } from "./copy.ts";
import { checkSchemaName } from "./migrate.ts";
import { ROW_COLUMNS } from "./rows.ts";

export type InsertMethod = "copy" | "json";

/** A batch encoded for one method: COPY text or the JSON array (see RowWriter.prepare). */
export interface Prepared {
  n: number;
  copy?: Uint8Array;
  json?: string;
}

const COLS = ROW_COLUMNS.join(", ");
const R_COLS = ROW_COLUMNS.map((c) => `r.${c}`).join(", ");

/** Rows encoded for `method` (pure). */
export function prepareRows(rows: Record<string, unknown>[], method: InsertMethod): Prepared {
  if (method === "json") return { n: rows.length, json: JSON.stringify(rows) };
  // a row's values are in ROW_COLUMNS order (ROW_COLUMNS = the keys of a row, rows.ts);
  // one flat string per line, joined once (a rope of += would be flattened by Buffer.from)
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = copyLine(Object.values(rows[i]!));
  return { n: rows.length, copy: Buffer.from(lines.join(""), "utf8") };
}

/** A short stable tag of a schema name, so two schemas' staging tables on one connection differ. */
function tag(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

export class RowWriter {
  readonly #pool: pg.Pool;
  readonly #method: InsertMethod;
  readonly #stage: string;
  readonly #createStage: string;
  readonly #copySql: string;
  readonly #insertStage: string;
  readonly #insertJson: string;
  /** Connections on which the staging table exists (it was created in a committed transaction). */
  readonly #staged = new WeakSet<pg.PoolClient>();

  constructor(pool: pg.Pool, schema: string, method: InsertMethod = "copy") {
    const s = checkSchemaName(schema);
    this.#pool = pool;
    this.#method = method;
    this.#stage = `pg_temp.cdr_stage_${tag(s)}`;
    // same column types as cdrs, no constraints (cdrs checks them on the INSERT)
    this.#createStage = `CREATE TEMP TABLE IF NOT EXISTS cdr_stage_${tag(s)} ON COMMIT DELETE ROWS AS SELECT ${COLS} FROM ${s}.cdrs WITH NO DATA`;
    this.#copySql = `COPY ${this.#stage} (${COLS}) FROM STDIN`;
    const guard = `WHERE NOT EXISTS (SELECT 1 FROM ${s}.erased e WHERE e.call_id = r.call_id) ON CONFLICT (call_id) DO NOTHING`;
    this.#insertStage = `INSERT INTO ${s}.cdrs (${COLS}) SELECT ${R_COLS} FROM ${this.#stage} r ${guard}`;
    this.#insertJson = `INSERT INTO ${s}.cdrs (${COLS}) SELECT ${R_COLS} FROM jsonb_populate_recordset(null::${s}.cdrs, $1::jsonb) r ${guard}`;
  }

  /** Writes the rows in one transaction; resolves with the number inserted (the rest: ignored). */
  write(rows: Record<string, unknown>[]): Promise<number> {
    return this.writePrepared(this.prepare(rows));
  }

  /** The rows encoded for this writer's method (synchronous: the rows may be dropped after). */
  prepare(rows: Record<string, unknown>[]): Prepared {
    return prepareRows(rows, this.#method);
  }

  /** Writes prepared rows in one transaction; resolves with the number inserted (the rest: ignored). */
  async writePrepared(p: Prepared): Promise<number> {
    if (!p.n) return 0;
    if (p.json !== undefined) return (await this.#pool.query(this.#insertJson, [p.json])).rowCount ?? 0;
    const data = p.copy!;
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const fresh = !this.#staged.has(client);
      if (fresh) await client.query(this.#createStage);
      const copy = client.query(copyFrom(this.#copySql));
      copy.end(data);
      await finished(copy);
      const res = await client.query(this.#insertStage);
      await client.query("COMMIT");
      if (fresh) this.#staged.add(client);
      return res.rowCount ?? 0;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch (e) {
        broken = e as Error; // the connection is unusable: the pool drops it
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
