// npm run bench:cdr [-- --calls 50000]: CDRs/s from call events to the CDR stream (assembler with
// settlement to a minimal NATS responder) and from the CDR stream into PostgreSQL (sink), on a
// private nats-server, with the NATS/Redis floor measured in the same run. Prints one JSON object.
// CPU per Cdr is reported for this process (assembler + fake credit, or sink), the private
// nats-server and (sink phase) every postgres process on the machine (shared: others' queries count).
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
import { cpuMeter, pidsNamed } from "./cpu.ts";
import { measureJsFloor } from "./jsfloor.ts";
import { liveLatency } from "./live.ts";
import { profilePhase } from "./profile.ts";
import { runSinks } from "./sinks.ts";
import { runWorkers, type WorkersResult } from "./workers.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "50000" }, "live-rate": { type: "string", default: "3000" }, "live-seconds": { type: "string", default: "5" }, workers: { type: "string", default: "1" }, sinks: { type: "string", default: "1" }, "floor-msgs": { type: "string", default: "50000" } } });
const WORKERS = Number(values.workers);
const N = Number(values.calls);
const BATCH = Number(process.env.CDR_BENCH_BATCH ?? 500);
// the sink's insert: "copy" (default) or "json" (the previous path), for A/B runs
const SINK_INSERT = process.env.CDR_BENCH_SINK === "json" ? "json" : "copy";
const log = createLogger("bench-cdr", { level: "warn" });
const perRow = (us: Record<string, number>, n: number) => Object.fromEntries(Object.entries(us).map(([k, v]) => [k, Math.round(v / n)]));
const perCdr = (us: Record<string, number>) => perRow(us, N);
const nats = new PrivateNats();
await nats.start();
const nc = await connectNats(nats.url, "bench-cdr");
const creditNc = await connectNats(nats.url, "bench-credit");
const topoPrefix = uniq("bench");
const topo = testTopology(topoPrefix);
await ensureTestStreams(nc, topo);
const schema = uniq("bench").toLowerCase();
const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 6 });
try {
  const floor = { nats: await measureNatsFloor(nats.url, 5000), redis: await measureRedisFloor(TEST_REDIS_URL, 5000) };
  const natsPid = () => (nats.pid ? [nats.pid] : []);
  const jsFloor = await measureJsFloor({ nc, natsPid, name: `${topoPrefix}_FLOOR`.replace(/[^A-Za-z0-9_-]/g, "_"), msgs: Number(values["floor-msgs"]) });
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
  const asmCpu = cpuMeter({ nats: natsPid });
  let asmS: number;
  let asmUs: Record<string, number>;
  let settleRetries = 0;
  let perWorker: WorkersResult["per_worker"] | undefined;
  if (WORKERS > 1) {
    // N assembler processes on the durable consumer; this process only answers for credit
    const w = await runWorkers({ nc, natsUrl: nats.url, topoPrefix, cdrStream: topo.cdrStream, calls: N, workers: WORKERS, batch: BATCH });
    asmS = w.seconds;
    asmUs = asmCpu();
    asmUs.node! += w.cpu_us;
    perWorker = w.per_worker;
  } else {
    const a = new Assembler({ nc, log, topology: topo, latency: lat, batch: 2000, maxInflight: Number(process.env.CDR_BENCH_INFLIGHT ?? 4000), finalizeBatch: BATCH, settleTimeoutMs: 5000 });
    const t0 = performance.now();
    await a.start();
    await waitFor(() => a.stats.cdrs === N, 20);
    asmS = (performance.now() - t0) / 1000;
    asmUs = asmCpu();
    settleRetries = a.stats.settleRetries;
    await a.stop();
  }
  const live = await liveLatency({ nc, topo, log, rate: Number(values["live-rate"]), seconds: Number(values["live-seconds"]), idPrefix: "live", finalizeBatch: BATCH });
  credit.stop();
  const rows = N + live.calls;
  await migrate(pool, schema);
  const SINKS = Number(values.sinks);
  const sink = new Sink({ nc, pool, log, schema, topology: topo, batchSize: 2000, concurrency: 4, insertMethod: SINK_INSERT });
  let sinkS: number;
  let sinkUs: Record<string, number>;
  let perSink: number[] | undefined;
  if (SINKS > 1) {
    // N sink processes on the durable consumer (how sinks scale); node CPU = theirs
    const sinkCpu = cpuMeter({ nats: natsPid, postgres: () => pidsNamed("postgres") });
    const r = await runSinks({ pool, natsUrl: nats.url, topoPrefix, schema, rows, sinks: SINKS, insert: SINK_INSERT });
    sinkS = r.seconds;
    sinkUs = sinkCpu();
    sinkUs.node = r.cpu_us;
    perSink = r.inserted;
  } else {
    // timed from the consumer's start
    const stopProfile = await profilePhase(process.env.CDR_BENCH_PROFILE);
    await sink.start();
    const sinkCpu = cpuMeter({ nats: natsPid, postgres: () => pidsNamed("postgres") });
    const t1 = performance.now();
    await waitFor(() => sink.stats.inserted === rows, 20);
    sinkS = (performance.now() - t1) / 1000;
    sinkUs = sinkCpu();
    await stopProfile();
    await sink.stop();
  }
  const s = lat.summary();
  const asmCdr = perCdr(asmUs);
  const pc = jsFloor.per_cdr;
  // the derived line (stderr; stdout stays one JSON object)
  process.stderr.write(
    `JetStream floor per Cdr: 4 x ${jsFloor.deliver_ack.nats_us_per_op} + 2 x ${jsFloor.publish_ack.nats_us_per_op} = ${pc.nats_us} us nats-server CPU -> at most ${pc.max_cdrs_per_s_2_cores} CDRs/s on ${2} cores with a free assembler; with this run's assembler (${asmCdr.node} us node) ${Math.round(2e6 / (pc.nats_us + asmCdr.node!))} CDRs/s; measured nats-server in the assembler phase ${asmCdr.nats} us/Cdr\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      calls: N,
      events,
      assembler: { cdrs_per_s: Math.round(N / asmS), events_per_s: Math.round(events / asmS), seconds: +asmS.toFixed(2), finalize_p50_us: s.p50_us, finalize_p99_us: s.p99_us, settle_retries: settleRetries, cpu_us_per_cdr: asmCdr, workers: WORKERS, per_worker: perWorker },
      live,
      sink: { insert: SINK_INSERT, sinks: SINKS, per_sink_inserted: perSink, rows: rows, rows_per_s: Math.round(rows / sinkS), seconds: +sinkS.toFixed(2), batches: SINKS > 1 ? undefined : sink.stats.batches, mean_batch_ms: SINKS > 1 ? undefined : +(sinkS * 1000 / Math.max(1, sink.stats.batches)).toFixed(1), cpu_us_per_row: perRow(sinkUs, rows) },
      js_floor: { ...jsFloor, per_cdr: { ...pc, max_cdrs_per_s_2_cores_with_measured_assembler: Math.round(2e6 / (pc.nats_us + asmCdr.node!)) } },
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
