// callctl.route.decide over NATS: the service in its own process (tables from a KV document, the
// example configuration), an open loop at RATE req/s (default 2,000) over the dialed-string pool,
// p50/p99 measured from when each request was due, as ratios to the NATS echo floor measured in
// the same run (measureFloor from @callctl/core). The open-loop sender wakes on a 1 ms timer, so
// requests leave late by up to ~1 ms and more on a loaded box: `sender_lag` says by how much, and
// `decide_from_send` times the same round trips from the actual send (what the service and NATS
// take; the floor is timed that way too). Prints JSON.
import { cpus, loadavg } from "node:os";
import { askCpuUs, Latency, measureFloor, openLoop, pb, ratio, request } from "@callctl/core";
import { dialedPool } from "./gen.ts";
import { startServiceChild } from "./service-child.ts";

const RATE = Number(process.env.ROUTING_BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.ROUTING_BENCH_SECONDS ?? 10);
const floor = await measureFloor({ n: 10_000 });
// ROUTING_BENCH_CPU_PROF=<dir>: the service process writes a V8 CPU profile there
const prof = process.env.ROUTING_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.ROUTING_BENCH_CPU_PROF}`] : [];
const { nc, child, subject, cleanup } = await startServiceChild("routing-bench-client", { nodeArgs: prof });
await new Promise<void>((resolve) => child.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve()));

const reqs = dialedPool(20_000).map((dialed, i) => pb.RouteRequest.create({ callId: `n${i}`, dialed, caller: "49301234567" }));
const lat = new Latency();
// how late the open-loop sender itself sends (it wakes on a 1 ms timer): part of every latency below
const lag = new Latency();
const fromSend = new Latency(); // the same round trips timed from when each was actually sent

let errors = 0;
let routes = 0;
const one = async (i: number, scheduled: bigint) => {
  lag.since(scheduled);
  const sentAt = process.hrtime.bigint();
  try {
    const d = await request(nc, subject, pb.RouteRequest, reqs[i % reqs.length]!, pb.RouteDecision, { timeoutMs: 2000 });
    lat.since(scheduled);
    fromSend.since(sentAt);
    if (d.outcome === pb.RouteOutcome.ROUTE) routes++;
  } catch {
    errors++;
  }
};
// warm-up: every dialed string of the pool once (JIT, the service's international cache), 50 in flight
for (let i = 0; i < reqs.length; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => one(i + k, process.hrtime.bigint())));
lat.reset();
lag.reset();
fromSend.reset();
routes = 0;
child.kill("SIGUSR2");
const total = RATE * SECONDS;
const achieved = await openLoop(total, RATE, one);
const cpuUs = await askCpuUs(child);
const exited = new Promise((r) => child.once("exit", r));
child.kill("SIGTERM");
if (prof.length) await exited; // the profile is written as the service exits
await cleanup();
const s = lat.summary();
const out = {
  bench: "routing.decide.nats",
  at: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  floor: floor.nats,
  target_req_per_s: RATE,
  achieved_req_per_s: achieved,
  errors,
  route_share: Math.round((routes / total) * 100) / 100,
  service_cpu_us_per_request: Math.round(cpuUs / total),
  decide: s,
  sender_lag: lag.summary(),
  decide_from_send: fromSend.summary(),
  p50_vs_floor: ratio(s.p50_us, floor.nats.p50_us),
  p99_vs_floor: ratio(s.p99_us, floor.nats.p99_us),
  from_send_p50_vs_floor: ratio(fromSend.summary().p50_us, floor.nats.p50_us),
  from_send_p99_vs_floor: ratio(fromSend.summary().p99_us, floor.nats.p99_us),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
