// bench:cdr -- --sinks N (N > 1): the billing sink in N processes sharing its durable consumer, as
// sinks are deployed (k8s cdr-sink scales freely; every batch is insert-or-ignore by call id). This
// file is both the launcher (runSinks) and, run as a script, one sink process. Env of a sink:
// BENCH_NATS_URL, BENCH_TOPO (the test topology's prefix), BENCH_SCHEMA, BENCH_INSERT. A sink
// prints "ready", starts on "go" (stdin), and prints one JSON line {inserted, cpu_us} when stdin ends.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { connectNats, createLogger } from "@callctl/core";
import { TEST_PG_URL } from "@callctl/core/testing";
import type { InsertMethod } from "../src/sink/pgwrite.ts";
import { Sink } from "../src/sink/sink.ts";
import { testTopology } from "../src/topology.ts";
import { waitFor } from "../test/helpers.ts";
import { serveBenchChild } from "./child.ts";

const SELF = fileURLToPath(import.meta.url);

/** Starts N sink processes, waits until `rows` rows are in `schema`.cdrs, stops them. Seconds from "go", CPU of the sinks. */
export async function runSinks(o: { pool: pg.Pool; natsUrl: string; topoPrefix: string; schema: string; rows: number; sinks: number; insert: InsertMethod }): Promise<{ seconds: number; cpu_us: number; inserted: number[] }> {
  const kids = Array.from({ length: o.sinks }, () =>
    spawn(process.execPath, ["--import", "tsx", SELF], { env: { ...process.env, BENCH_NATS_URL: o.natsUrl, BENCH_TOPO: o.topoPrefix, BENCH_SCHEMA: o.schema, BENCH_INSERT: o.insert }, stdio: ["pipe", "pipe", "inherit"] }),
  );
  const out = kids.map((k) => {
    let buf = "";
    k.stdout.on("data", (d: Buffer) => (buf += d.toString()));
    return () => buf;
  });
  await waitFor(() => out.every((l) => l().includes("ready")), 30);
  const t0 = performance.now();
  for (const k of kids) k.stdin.write("go\n");
  await waitFor(async () => (await o.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${o.schema}.cdrs`)).rows[0]!.n >= o.rows, 60);
  const seconds = (performance.now() - t0) / 1000;
  for (const k of kids) k.stdin.end();
  await Promise.all(kids.map((k) => new Promise((r) => k.once("exit", r))));
  const per = out.map((l) => JSON.parse(l().split("\n").find((x) => x.startsWith("{")) ?? "{}") as { inserted?: number; cpu_us?: number });
  return { seconds, cpu_us: per.reduce((s, p) => s + (p.cpu_us ?? 0), 0), inserted: per.map((p) => p.inserted ?? 0) };
}

if (process.argv[1] === SELF) {
  const nc = await connectNats(process.env.BENCH_NATS_URL ?? "", "bench-cdr-sink");
  const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 5 });
  const sink = new Sink({ nc, pool, log: createLogger("bench-cdr-sink", { level: "warn" }), schema: process.env.BENCH_SCHEMA ?? "", topology: testTopology(process.env.BENCH_TOPO ?? ""), batchSize: 2000, concurrency: 4, insertMethod: (process.env.BENCH_INSERT ?? "copy") as InsertMethod });
  serveBenchChild(
    () => void sink.start(),
    async (cpu_us) => {
      await sink.stop();
      await pool.end();
      await nc.close();
      return { inserted: sink.stats.inserted, cpu_us };
    },
  );
}
