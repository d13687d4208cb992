// The PostgreSQL sink (own schema, dropped after), the itemised bill, retention, dispute hold,
// erasure and shortening — fed by a real assembler over a private topology.
import t from "tap";
import pg from "pg";
import { createLogger, js, pb } from "@callctl/core";
import { TEST_PG_URL, testNats, uniq } from "@callctl/core/testing";
import { Assembler } from "../src/index.ts";
import { billCsv, itemisedBill } from "../src/sink/export.ts";
import { migrate } from "../src/sink/migrate.ts";
import { erase, holdAdd, holdRelease, HoldActiveError, markInvoiced, runRetention, shorten } from "../src/sink/privacy.ts";
import { Sink } from "../src/sink/sink.ts";
import { callEvents, QUOTE_60_60 } from "./fixtures.ts";
import { fakeCredit, privateTopology, publishEvents, readCdrs, waitFor } from "./helpers.ts";

const nc = await testNats("cdr-sink-test");
const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 6 });
const schema = uniq("cdrt").toLowerCase();
t.teardown(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  await nc.close();
});
const log = createLogger("cdr-test", { level: "silent" });
const ctx = { pool, schema, actor: "test" };
const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);

t.test("migrate is idempotent", async (t) => {
  t.same(await migrate(pool, schema), ["001"]);
  t.same(await migrate(pool, schema), []);
});

t.test("assembler → stream → sink: each call once, redelivery and duplicates ignored", async (t) => {
  const { topo, cleanup } = await privateTopology(nc, uniq("cdrs"));
  t.teardown(cleanup);
  const credit = fakeCredit(nc, topo);
  t.teardown(credit.stop);
  const calls = [
    ...Array.from({ length: 30 }, (_, i) => callEvents({ callId: `s-${schema}-${i}`, account: "acct-A", t0: T0 + i * 60_000, talkS: 10 + i * 7 })),
    callEvents({ callId: `s-${schema}-free`, account: "acct-A", t0: T0 + 31 * 60_000, talkS: 100, e164: "498001234567", numberType: pb.NumberType.FREEPHONE, quote: { ...QUOTE_60_60, free: true } }),
    callEvents({ callId: `s-${schema}-busy`, account: "acct-A", t0: T0 + 32 * 60_000 }),
    callEvents({ callId: `s-${schema}-b`, account: "acct-B", t0: T0, talkS: 50 }),
  ];
  await publishEvents(nc, topo, calls.flat());
  const a = new Assembler({ nc, log, topology: topo, lingerMs: 100, sweepMs: 50 });
  await a.start();
  t.teardown(() => a.stop());
  await waitFor(() => a.stats.cdrs === calls.length);
  const sink = new Sink({ nc, pool, log, schema, topology: topo, batchSize: 7, flushMs: 10 });
  await sink.start();
  await waitFor(() => sink.stats.inserted === calls.length);
  // the same Cdr again, outside the dedupe (no msg id): ignored by the upsert
  const one = (await readCdrs(nc, topo.cdrStream))[0]!;
  await js(nc).publish(topo.cdrSubject("01097"), pb.Cdr.encode(one).finish());
  await waitFor(() => sink.stats.received === calls.length + 1 && sink.stats.ignored === 1);
  await sink.stop();
  const n = await pool.query(`SELECT count(*)::int AS n, sum(amount_micro)::bigint AS amount FROM ${schema}.cdrs`);
  t.equal(n.rows[0].n, calls.length, "one row per call");
  t.equal(Number(n.rows[0].amount), [...credit.commits.values()].reduce((x, y) => x + y, 0), "amounts in PostgreSQL = debits");
  const view = await pool.query(`SELECT * FROM ${schema}.invoice_account_monthly WHERE account_id = 'acct-A'`);
  t.equal(Number(view.rows[0].calls), 30, "invoice view: billed calls of acct-A (freephone and busy are not billed)");
});

t.test("itemised bill: truncation, freephone excluded, totals = sum of lines", async (t) => {
  const q = { account: "acct-A", fromMs: T0, toMs: T0 + 86_400_000, schema };
  const full = await itemisedBill(pool, q);
  t.equal(full.lines.length, 30, "freephone and unanswered calls are not on the bill");
  t.ok(full.lines.every((l) => l.destination === "+436641234567"));
  const short = await itemisedBill(pool, { ...q, truncate: true });
  t.ok(short.lines.every((l) => l.destination === "+436641234xxx"), "last three digits removed");
  const sum = full.lines.reduce((a, l) => a + Math.round(Number(l.amount_eur) * 10_000), 0);
  t.equal(Math.round(Number(full.totals.amount_eur) * 10_000), sum, "total is the sum of the printed lines");
  t.equal(full.totals.payable_eur, (Math.round(sum / 100) / 100).toFixed(2), "payable: the total to the cent");
  t.equal(full.lines[0]!.started, "2025-01-15 10:00:00", "local time Europe/Berlin");
  const csv = billCsv(short);
  t.match(csv, /^started,destination,/);
  t.equal(csv.trim().split("\n").length, 1 + 30 + 2);
  t.notMatch(csv, /436641234567/);
});

t.test("retention, dispute hold, erase, shorten: all audited", async (t) => {
  t.equal(await markInvoiced(ctx, { invoiceId: "inv-A-1", account: "acct-A", fromMs: T0, toMs: T0 + 86_400_000, sentAt: new Date(Date.UTC(2025, 1, 1)) }), 32);
  t.equal(await markInvoiced(ctx, { invoiceId: "inv-B-1", account: "acct-B", fromMs: T0, toMs: T0 + 86_400_000, sentAt: new Date(Date.UTC(2025, 1, 1)) }), 1);
  const early = await runRetention(ctx, { now: new Date(Date.UTC(2025, 6, 31)) });
  t.equal(early.deleted, 0, "5 months after the invoice: kept");
  t.ok(await holdAdd(ctx, "acct-A", "objection of 2025-03-01"));
  t.notOk(await holdAdd(ctx, "acct-A", "again"), "one active hold per account");
  await t.rejects(erase(ctx, { account: "acct-A" }, { reason: "request" }), HoldActiveError, "no erasure while disputed");
  const r = await runRetention(ctx, { now: new Date(Date.UTC(2025, 7, 2)) });
  t.same([r.deleted, r.kept_on_hold], [1, 32], "6 months after the invoice: B deleted, A kept on hold");
  t.ok(await holdRelease(ctx, "acct-A", "resolved"));
  t.equal((await runRetention(ctx, { now: new Date(Date.UTC(2025, 7, 2)) })).deleted, 32, "released: deleted");
  const audit = await pool.query(`SELECT action FROM ${schema}.audit ORDER BY id`);
  t.same(audit.rows.map((x) => x.action), ["invoice.mark", "invoice.mark", "retention.run", "hold.add", "hold.add", "retention.run", "hold.release", "retention.run"]);
});

t.test("shorten on request, future calls stored shortened, erase leaves a tombstone", async (t) => {
  const row = (id: string, account: string, e164: string) => ({ ...pb.Cdr.toObject(pb.Cdr.create({ callId: id, accountId: account, dialed: `0${e164}`, destination: { e164 }, startedMs: T0, schemaVersion: 1 })) });
  const { topo, cleanup } = await privateTopology(nc, uniq("cdrp"));
  t.teardown(cleanup);
  const sink = new Sink({ nc, pool, log, schema, topology: topo, batchSize: 10, flushMs: 10 });
  await sink.start();
  t.teardown(() => sink.stop());
  const put = (id: string, acct: string) => js(nc).publish(topo.cdrSubject("x"), pb.Cdr.encode(pb.Cdr.fromObject(row(id, acct, "4930123456"))).finish());
  await put("p1", "acct-C");
  await waitFor(() => sink.stats.inserted === 1);
  t.equal(await shorten(ctx, { account: "acct-C" }, { future: true, reason: "customer letter" }), 1);
  await put("p2", "acct-C");
  await waitFor(() => sink.stats.inserted === 2);
  const rows = await pool.query(`SELECT dialed, dest_e164, shortened FROM ${schema}.cdrs WHERE account_id = 'acct-C' ORDER BY call_id`);
  t.same(rows.rows, [
    { dialed: "04930123xxx", dest_e164: "4930123xxx", shortened: true },
    { dialed: "04930123xxx", dest_e164: "4930123xxx", shortened: true },
  ]);
  const e = await erase(ctx, { account: "acct-C" }, { reason: "customer letter" });
  t.equal(e.deleted, 2);
  t.equal(e.streamSeqs.length, 2);
  await put("p1", "acct-C"); // a redelivered Cdr of an erased call
  await waitFor(() => sink.stats.received === 3);
  await waitFor(() => sink.stats.batches >= 3);
  t.equal((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.cdrs WHERE account_id = 'acct-C'`)).rows[0].n, 0, "erased stays erased");
});
