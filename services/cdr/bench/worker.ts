// One assembler process of `bench:cdr -- --workers N` (N > 1): shares the durable consumer with the
// others. Env: BENCH_NATS_URL, BENCH_TOPO (the test topology's prefix), BENCH_BATCH. Prints one
// JSON line {cdrs, by_settlement, cpu_us, finalize_p50_us, finalize_p99_us} when stdin closes;
// cpu_us counts from "go".
import { connectNats, createLogger, Latency } from "@callctl/core";
import { Assembler } from "../src/assembler.ts";
import { testTopology } from "../src/topology.ts";

const nc = await connectNats(process.env.BENCH_NATS_URL ?? "", "bench-cdr-worker");
const lat = new Latency();
const a = new Assembler({ nc, log: createLogger("bench-cdr-worker", { level: "warn" }), topology: testTopology(process.env.BENCH_TOPO ?? ""), latency: lat, finalizeBatch: Number(process.env.BENCH_BATCH ?? 500), settleTimeoutMs: 5000 });
process.stdout.write("ready\n");
let cpu0 = process.cpuUsage();
// "go" on stdin starts the assembler (all workers at once, after tsx has loaded); stdin's end stops it
process.stdin.once("data", () => {
  cpu0 = process.cpuUsage();
  void a.start();
});
process.stdin.on("end", async () => {
  const u = process.cpuUsage(cpu0);
  await a.stop();
  await nc.close();
  const s = lat.summary();
  process.stdout.write(`${JSON.stringify({ cdrs: a.stats.cdrs, by_settlement: a.stats.bySettlement, cpu_us: u.user + u.system, finalize_p50_us: s.p50_us, finalize_p99_us: s.p99_us })}\n`);
  process.exit(0);
});
