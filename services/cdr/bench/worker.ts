// One assembler process of `bench:cdr -- --workers N` (N > 1): shares the durable consumer with the
// others. Env: BENCH_NATS_URL, BENCH_TOPO (the test topology's prefix), BENCH_BATCH. Prints one
// JSON line {cdrs, by_settlement, cpu_us, finalize_p50_us, finalize_p99_us} when stdin closes;
// cpu_us counts from "go".
import { connectNats, createLogger, Latency } from "@callctl/core";
import { Assembler } from "../src/assembler.ts";
import { testTopology } from "../src/topology.ts";
import { serveBenchChild } from "./child.ts";

const nc = await connectNats(process.env.BENCH_NATS_URL ?? "", "bench-cdr-worker");
const lat = new Latency();
const a = new Assembler({ nc, log: createLogger("bench-cdr-worker", { level: "warn" }), topology: testTopology(process.env.BENCH_TOPO ?? ""), latency: lat, finalizeBatch: Number(process.env.BENCH_BATCH ?? 500), settleTimeoutMs: 5000 });
// "go" on stdin starts the assembler (all workers at once, after tsx has loaded); stdin's end stops it
serveBenchChild(
  () => void a.start(),
  async (cpu_us) => {
    await a.stop();
    await nc.close();
    const s = lat.summary();
    return { cdrs: a.stats.cdrs, by_settlement: a.stats.bySettlement, cpu_us, finalize_p50_us: s.p50_us, finalize_p99_us: s.p99_us };
  },
);
