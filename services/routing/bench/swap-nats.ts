// Issue 3: "swapping [a 1,000,000-prefix deck] in under a load of 2,000 decisions/s does not move
// p99 by more than 10 %", measured where callers see it: callctl.route.decide over NATS, the
// service in its own process (nats-server.ts with ROUTING_BENCH_SWAP_PREFIXES), an open loop at
// 2,000 req/s. Steady and swapping segments alternate (SEGMENTS × SEGMENT_MS each; in a swapping
// segment the service applies the 1M-prefix document 200 ms in, as its KV watch would, and the
// segment lasts until the swap is in), so a neighbour's load on the shared box falls on both alike.
// Latency is timed from each request's actual send (decide_from_send; the sender's own 1 ms-timer
// lateness is reported apart) and from when it was due. Prints JSON with the floor of the same run.
import { loadavg } from "node:os";
import { Latency, measureFloor, openLoop, pb, ratio, request } from "@callctl/core";
import { dialedPool } from "./gen.ts";
import { startServiceChild } from "./service-child.ts";

const RATE = 2000;
const SEGMENTS = Number(process.env.ROUTING_BENCH_SEGMENTS ?? 4);
const SEGMENT_MS = 2500;
const PREFIXES = Number(process.env.PREFIXES ?? 1_000_000);
// ROUTING_BENCH_AB=1: swapping segments alternate between the deck worker under SCHED_IDLE and at
// nice 10 only (steady segments between all of them), so both see the same neighbours;
// ROUTING_BENCH_AB=fresh: between the process's kept deck worker and a worker started for the swap
const AB = process.env.ROUTING_BENCH_AB === "1" || process.env.ROUTING_BENCH_AB === "fresh";
const B = process.env.ROUTING_BENCH_AB === "fresh" ? { cmd: "swap fresh", label: "fresh_worker" } : { cmd: "swap nice", label: "nice10_only" };
const floor = await measureFloor({ n: 10_000 });
// ROUTING_BENCH_NODE_ARGS: node options for the service's process (e.g. "--trace-gc")
const nodeArgs = process.env.ROUTING_BENCH_NODE_ARGS?.split(" ").filter(Boolean);
const { nc, child, subject, cleanup } = await startServiceChild("routing-swap-bench", { stdin: true, nodeArgs, env: { ROUTING_BENCH_SWAP_PREFIXES: String(PREFIXES) } });
let out = "";
const waiters: { word: string; resolve: (line: string) => void }[] = [];
child.stdout?.on("data", (d: Buffer) => {
  out += d.toString();
  for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
    const line = out.slice(0, nl);
    out = out.slice(nl + 1);
    const i = waiters.findIndex((w) => line.startsWith(w.word));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(line);
    else process.stderr.write(`service: ${line}\n`); // e.g. ROUTING_BENCH_NODE_ARGS=--trace-gc
  }
});
const next = (word: string) => new Promise<string>((resolve) => waiters.push({ word, resolve }));
await next("ready");

const reqs = dialedPool(20_000).map((dialed, i) => pb.RouteRequest.create({ callId: `n${i}`, dialed, caller: "49301234567" }));
let errors = 0;
const call = async (i: number, scheduled: bigint, fromSend: Latency, fromDue: Latency) => {
  const sentAt = process.hrtime.bigint();
  try {
    await request(nc, subject, pb.RouteRequest, reqs[i % reqs.length]!, pb.RouteDecision, { timeoutMs: 2000 });
    fromSend.since(sentAt);
    fromDue.since(scheduled);
  } catch {
    errors++;
  }
};
const warm = new Latency();
for (let i = 0; i < reqs.length; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => call(i + k, process.hrtime.bigint(), warm, warm)));

const steady = { send: new Latency(), due: new Latency() };
const swapping = { send: new Latency(), due: new Latency() };
const swappingNice = { send: new Latency(), due: new Latency() };
const swapMs: number[] = [];
// ROUTING_BENCH_GAPS=1: the decision thread's late loop turns (> 2 ms) per segment kind, from nats-server.ts
const GAPS = process.env.ROUTING_BENCH_GAPS === "1";
const gapTotals: Record<string, { segments: number; gaps: number; late_ms: number; max_ms: number; ms: number }> = {};
async function gapsOf(kind: string): Promise<void> {
  if (!GAPS) return;
  const answer = next("gaps");
  child.stdin?.write("gaps\n");
  const [n, sum, max, ms] = (await answer).split(" ").slice(1).map(Number) as [number, number, number, number];
  const t = (gapTotals[kind] ??= { segments: 0, gaps: 0, late_ms: 0, max_ms: 0, ms: 0 });
  t.segments++;
  t.gaps += n;
  t.late_ms = Math.round((t.late_ms + sum) * 10) / 10;
  t.max_ms = Math.max(t.max_ms, max);
  t.ms += ms;
}
let offset = 0;
for (let s = 0; s < SEGMENTS; s++) {
  const n = (RATE * SEGMENT_MS) / 1000;
  await gapsOf("before");
  await openLoop(n, RATE, (i, at) => call(offset + i, at, steady.send, steady.due));
  await gapsOf("steady");
  offset += n;
  // swapping: the document goes in 200 ms after the start, the segment runs until it is in
  const nice = AB && s % 2 === 1;
  const into = nice ? swappingNice : swapping;
  let swapped = false;
  const done = (async () => {
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const answer = next("swapped");
    child.stdin?.write(nice ? `${B.cmd}\n` : "swap\n");
    const line = await answer;
    if (!line.includes(" ok ")) throw new Error(`swap refused: ${line}`);
    swapMs.push(Math.round(performance.now() - t0));
    swapped = true;
  })();
  let sent = 0;
  while (!swapped || sent < n) {
    await openLoop(RATE / 10, RATE, (i, at) => call(offset + sent + i, at, into.send, into.due));
    sent += RATE / 10;
  }
  await done;
  await gapsOf(nice ? `swapping_${B.label}` : "swapping");
  offset += sent;
}
child.kill("SIGTERM");
await cleanup();
const pct = (a: number, b: number) => Math.round(((a - b) / Math.max(1, b)) * 100);
const sum = (l: Latency) => ((x) => ({ count: x.count, p50_us: x.p50_us, p99_us: x.p99_us, max_us: x.max_us }))(l.summary());
const result = {
  bench: "routing.swap.nats",
  at: new Date().toISOString(),
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  floor: floor.nats,
  prefixes: PREFIXES,
  rate_per_s: RATE,
  segments: SEGMENTS,
  errors,
  swap_ms: swapMs,
  ...(GAPS ? { decision_thread_gaps: gapTotals } : {}),
  from_send: { steady: sum(steady.send), swapping: sum(swapping.send), p99_change_pct: pct(swapping.send.summary().p99_us, steady.send.summary().p99_us) },
  from_due: { steady: sum(steady.due), swapping: sum(swapping.due), p99_change_pct: pct(swapping.due.summary().p99_us, steady.due.summary().p99_us) },
  steady_p99_vs_floor: ratio(steady.send.summary().p99_us, floor.nats.p99_us),
  ...(AB ? { [B.label]: { from_send: { swapping: sum(swappingNice.send), p99_change_pct: pct(swappingNice.send.summary().p99_us, steady.send.summary().p99_us) }, from_due: { swapping: sum(swappingNice.due), p99_change_pct: pct(swappingNice.due.summary().p99_us, steady.due.summary().p99_us) } } } : {}),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
