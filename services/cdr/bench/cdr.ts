// npm run bench:cdr [-- --calls 50000]: CDRs/s from call events to the CDR stream (assembler with
// settlement to a minimal NATS responder) and from the CDR stream into PostgreSQL (sink), on a
// private nats-server, with the NATS/Redis floor measured in the same run. Prints one JSON object.
import { parseArgs } from "node:util";
import pg from "pg";
import { connectNats, createLogger, js, Latency, measureNatsFloor, measureRedisFloor, pb } from "@callctl/core";
import { TEST_PG_URL, TEST_REDIS_URL, uniq } from "@callctl/core/testing";
import { Assembler } from "../src/assembler.ts";
import { migrate } from "../src/sink/migrate.ts";
import { Sink } from "../src/sink/sink.ts";
import { ensureTestStreams, testTopology } from "../src/topology.ts";
import { PrivateNats } from "../test/crash/harness.ts";
import { callEvents } from "../test/fixtures.ts";
import { fakeCredit, waitFor } from "../test/helpers.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "50000" } } });
const N = Number(values.calls);
const log = createLogger("bench-cdr", { level: "warn" });
const nats = new PrivateNats();
await nats.start();
const nc = await connectNats(nats.url, "bench-cdr");
const creditNc = await connectNats(nats.url, "bench-credit");
const topo = testTopology(uniq("bench"));
await ensureTestStreams(nc, topo);
const schema = uniq("bench").toLowerCase();
const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 6 });
try {
  const floor = { nats: await measureNatsFloor(nats.url, 5000), redis: await measureRedisFloor(TEST_REDIS_URL, 5000) };
  const credit = fakeCredit(creditNc, topo);
  // events of N calls (4-5 each) stored first, so the assembler runs flat out on a backlog
  const j = js(nc);
  let inflight: Promise<unknown>[] = [];
  let events = 0;
  for (let i = 0; i < N; i++) {
    for (const e of callEvents({ callId: `b${i}`, talkS: i % 5 === 0 ? undefined : 10 + (i % 400), failedAttempts: i % 10 === 0 ? 1 : 0 })) {
      inflight.push(j.publish(`${topo.callsFilter.slice(0, -2)}.${e.subjectKind}`, pb.CallEvent.encode(e.ev).finish(), { msgID: e.msgId }));
      events++;
      if (inflight.length >= 5000) {
        await Promise.all(inflight);
        inflight = [];
      }
    }
  }
  await Promise.all(inflight);
  const lat = new Latency();
  const a = new Assembler({ nc, log, topology: topo, latency: lat, batch: 2000, maxInflight: Number(process.env.CDR_BENCH_INFLIGHT ?? 1000), settleTimeoutMs: 5000 });
  const t0 = performance.now();
  await a.start();
  await waitFor(() => a.stats.cdrs === N, 20);
  const asmS = (performance.now() - t0) / 1000;
  await a.stop();
  credit.stop();
  await migrate(pool, schema);
  const batchLat = new Latency();
  const sink = new Sink({ nc, pool, log, schema, topology: topo, batchSize: 2000, concurrency: 4 });
  const t1 = performance.now();
  await sink.start();
  await waitFor(() => sink.stats.inserted === N, 20);
  const sinkS = (performance.now() - t1) / 1000;
  await sink.stop();
  batchLat.recordUs((sinkS * 1e6) / Math.max(1, sink.stats.batches));
  const s = lat.summary();
  process.stdout.write(
    `${JSON.stringify({
      calls: N,
      events,
      assembler: { cdrs_per_s: Math.round(N / asmS), events_per_s: Math.round(events / asmS), seconds: +asmS.toFixed(2), finalize_p50_us: s.p50_us, finalize_p99_us: s.p99_us, settle_retries: a.stats.settleRetries },
      sink: { rows_per_s: Math.round(N / sinkS), seconds: +sinkS.toFixed(2), batches: sink.stats.batches, mean_batch_ms: +(sinkS * 1000 / Math.max(1, sink.stats.batches)).toFixed(1) },
      floor: { nats_rtt_p50_us: floor.nats.p50_us, nats_rtt_p99_us: floor.nats.p99_us, redis_rtt_p50_us: floor.redis.p50_us, redis_rtt_p99_us: floor.redis.p99_us },
    })}\n`,
  );
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await pool.end();
  await creditNc.close();
  await nc.close();
  await nats.destroy();
}
