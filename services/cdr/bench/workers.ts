// bench:cdr with the assembler in N child processes sharing the durable consumer (--workers N).
// A finding, not a mode to deploy: the durable consumer hands each worker a share of the EVENTS,
// so most calls are split across workers. A worker holding ENDED without STARTED finalizes a
// partial Cdr after linger + 2 × ack wait (the run takes ~63 s more, and such Cdrs lack tariff
// and settlement); nats-server 2.9 cannot partition one consumer by call id. Correct scaling
// needs events partitioned by call id at the publisher (a subject per partition) or 2.10+.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@callctl/core";
import { waitFor } from "../test/helpers.ts";

export interface WorkersResult {
  seconds: number;
  cpu_us: number;
  per_worker: { cdrs: number; by_settlement: Record<string, number>; cpu_us: number; finalize_p50_us: number; finalize_p99_us: number }[];
}

/** Starts N assembler processes, waits until the CDR stream holds `calls` Cdrs, stops them. */
export async function runWorkers(o: { nc: NatsConnection; natsUrl: string; topoPrefix: string; cdrStream: string; calls: number; workers: number; batch: number }): Promise<WorkersResult> {
  const main = fileURLToPath(new URL("./worker.ts", import.meta.url));
  const kids = Array.from({ length: o.workers }, () =>
    spawn(process.execPath, ["--import", "tsx", main], { env: { ...process.env, BENCH_NATS_URL: o.natsUrl, BENCH_TOPO: o.topoPrefix, BENCH_BATCH: String(o.batch) }, stdio: ["pipe", "pipe", "inherit"] }),
  );
  const lines = kids.map((k) => {
    let buf = "";
    k.stdout.on("data", (d: Buffer) => (buf += d.toString()));
    return () => buf;
  });
  await waitFor(() => lines.every((l) => l().includes("ready")), 20);
  const jsm = await jetstreamManager(o.nc);
  const t0 = performance.now();
  for (const k of kids) k.stdin.write("go\n");
  await waitFor(async () => (await jsm.streams.info(o.cdrStream)).state.messages >= o.calls, 100);
  const seconds = (performance.now() - t0) / 1000;
  for (const k of kids) k.stdin.end();
  await Promise.all(kids.map((k) => new Promise((r) => k.once("exit", r))));
  const per = lines.map((l) => JSON.parse(l().split("\n").filter((x) => x.startsWith("{"))[0] ?? "{}"));
  return { seconds, cpu_us: per.reduce((s, p) => s + (p.cpu_us ?? 0), 0), per_worker: per };
}
