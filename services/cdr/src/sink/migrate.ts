// Schema migrations for the billing sink: services/cdr/migrations/NNN_*.sql, applied in order,
// each once, in a transaction, under an advisory lock (so two sinks starting together are safe).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { ValidationError } from "@callctl/core";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "../../migrations");

export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ValidationError(`bad schema name ${JSON.stringify(schema)}`, { schema });
  return schema;
}

/** Applies pending migrations to `schema` (created if missing). Returns the versions applied. */
export async function migrate(pool: pg.Pool, schema = "cdr"): Promise<string[]> {
  checkSchemaName(schema);
  const files = readdirSync(DIR).filter((f) => /^\d{3}_.*\.sql$/.test(f)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [`callctl-cdr-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: string }>(`SELECT version FROM ${schema}.schema_migrations`)).rows.map((r) => r.version));
    for (const f of files) {
      const version = f.slice(0, 3);
      if (done.has(version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(`SET LOCAL search_path TO ${schema}`);
        await client.query(readFileSync(join(DIR, f), "utf8"));
        await client.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [version]);
        await client.query("COMMIT");
        applied.push(version);
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`callctl-cdr-migrate:${schema}`]).catch(() => {});
    client.release();
  }
  return applied;
}
