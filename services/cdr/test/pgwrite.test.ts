// The sink's PostgreSQL write (src/sink/pgwrite.ts) on its own: COPY into the staging table then
// insert-or-ignore — idempotent by call id, never an erased call id, hostile text exactly as sent,
// and the same rows as the previous jsonb_populate_recordset insert.
import t from "tap";
import pg from "pg";
import { pb, type callctl } from "@callctl/core";
import { TEST_PG_URL, uniq } from "@callctl/core/testing";
import { migrate } from "../src/sink/migrate.ts";
import { RowWriter } from "../src/sink/pgwrite.ts";
import { cdrRow } from "../src/sink/rows.ts";
import { QUOTE_60_60 } from "./fixtures.ts";

const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 3 });
const schemaCopy = uniq("cdrcp").toLowerCase();
const schemaJson = uniq("cdrjs").toLowerCase();
t.teardown(async () => {
  for (const s of [schemaCopy, schemaJson]) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.end();
});

const HOSTILE = ["tab\there", "new\nline", "cr\rlf\r\n", "back\\slash\\", "\\N", "\\.", "\\t literal", '"quoted" \'single\'', '{"json":"like"}', "Müller ☎ 電話 🎉", "\u2028\u000b\u000c\u0008\u001f", "trailing\t", "", "\\"];
const cdr = (i: number, s: string): callctl.v1.Cdr =>
  pb.Cdr.decode(
    pb.Cdr.encode(
      pb.Cdr.fromObject({
        schemaVersion: 1,
        callId: `h${i}-${s}`,
        brand: "01097",
        accountId: "acct-H",
        caller: s,
        dialed: `0${s}`,
        node: s,
        destination: { e164: "436641234567", country: "AT", zone: s },
        tariff: { ...QUOTE_60_60, announcementText: s, playlist: [s, "x"] },
        startedMs: 1_736_931_600_000 + i,
        amountMicro: 78_000 + i,
        attempts: [{ n: 1, trunkId: s, sipCode: 200, disposition: pb.Disposition.ANSWERED_CALL }],
        legs: [{ leg: s, dialed: s, destination: { e164: s } }],
        settlement: "COMMITTED",
      }),
    ).finish(),
  );
const rows = HOSTILE.map((s, i) => cdrRow(cdr(i, s), 100 + i, false));
// every column as text, the jsonb columns as their canonical jsonb text
const dump = async (schema: string) => (await pool.query(`SELECT to_jsonb(c) - 'inserted_at' - 'invoiced_at' AS r FROM ${schema}.cdrs c ORDER BY call_id`)).rows.map((x) => x.r);

t.before(async () => {
  await migrate(pool, schemaCopy);
  await migrate(pool, schemaJson);
});

t.test("copy: every row once; the same batch again inserts nothing", async (t) => {
  const w = new RowWriter(pool, schemaCopy);
  t.equal(await w.write(rows), rows.length);
  t.equal(await w.write(rows), 0, "redelivered batch: ignored");
  t.equal(await w.write([rows[0]!, rows[0]!]), 0, "a duplicate inside a batch: ignored");
  t.equal((await pool.query(`SELECT count(*)::int AS n FROM ${schemaCopy}.cdrs`)).rows[0].n, rows.length);
});

t.test("copy: hostile text fields round-trip exactly", async (t) => {
  const got = (await pool.query(`SELECT call_id, caller, dialed, node, dest_zone, tariff, attempts, legs FROM ${schemaCopy}.cdrs`)).rows;
  const byId = new Map(got.map((r) => [r.call_id, r]));
  // (assertion names carry the index only: raw control characters would break the TAP output)
  rows.forEach((r, i) => {
    const g = byId.get(r.call_id);
    t.ok(g, `row ${i} found by its call id`);
    t.strictSame([g?.caller, g?.dialed, g?.node, g?.dest_zone], [r.caller, r.dialed, r.node, r.dest_zone], `row ${i}: text columns`);
    t.strictSame([g?.tariff, g?.attempts, g?.legs], [r.tariff, r.attempts, r.legs], `row ${i}: jsonb columns`);
  });
});

t.test("copy and the previous json insert store identical rows", async (t) => {
  const w = new RowWriter(pool, schemaJson, "json");
  t.equal(await w.write(rows), rows.length);
  t.equal(await w.write(rows), 0);
  t.same(await dump(schemaCopy), await dump(schemaJson));
});

t.test("an erased call id is never written again, by either method", async (t) => {
  const id = "erased-1";
  const row = cdrRow(cdr(999, "x"), 999, false);
  row.call_id = id;
  for (const [schema, method] of [[schemaCopy, "copy"], [schemaJson, "json"]] as const) {
    await pool.query(`INSERT INTO ${schema}.erased (call_id, why) VALUES ($1, 'test')`, [id]);
    const fresh = { ...rows[0]!, call_id: `${method}-fresh` };
    t.equal(await new RowWriter(pool, schema, method).write([row, fresh]), 1, `${method}: only the fresh one`);
    t.equal((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.cdrs WHERE call_id = $1`, [id])).rows[0].n, 0);
  }
});

t.test("a failed batch leaves nothing behind and the connection usable", async (t) => {
  const w = new RowWriter(pool, schemaCopy);
  const bad = { ...rows[1]!, call_id: "bad-1", caller: null }; // NOT NULL in cdrs
  const good = { ...rows[1]!, call_id: "good-1" };
  await t.rejects(w.write([good, bad]));
  t.equal((await pool.query(`SELECT count(*)::int AS n FROM ${schemaCopy}.cdrs WHERE call_id IN ('bad-1', 'good-1')`)).rows[0].n, 0, "all or nothing");
  for (let i = 0; i < 4; i++) t.equal(await w.write([{ ...good, call_id: `good-${i + 2}` }]), 1, "later batches on every pooled connection");
});

t.test("copy: a NUL in a text or JSON field is stored as U+FFFD and does not block the batch", async (t) => {
  const w = new RowWriter(pool, schemaCopy);
  const nul = { ...cdrRow(cdr(99, "nul\0here"), 999, false), call_id: "nul-99" };
  t.equal(await w.write([nul]), 1, "stored");
  const r = (await pool.query(`SELECT caller, tariff->>'announcementText' AS a FROM ${schemaCopy}.cdrs WHERE call_id = $1`, [nul.call_id])).rows[0];
  t.equal(r.caller, "nul\uFFFDhere");
  t.equal(r.a, "nul\uFFFDhere");
});
