// The routing service in its own process for the NATS benchmark (argv: subject root, KV bucket,
// stream). Prints "ready" once the tables from the KV document are loaded; on SIGUSR2 it resets
// and on SIGUSR1 it reports ("cpu N") its CPU time in µs. With ROUTING_BENCH_SWAP_PREFIXES=N it
// also builds a document with an N-prefix deck and, for every "swap" line on stdin, applies it as
// the KV watch would (applyDocumentOffThread on a view into a larger buffer), then prints "swapped".
import { connectNats, createLogger, serveCpuReport, setupTelemetry } from "@callctl/core";
import { Kvm } from "@nats-io/kv";
import { applyDocumentOffThread, Router, startRouting } from "../src/index.ts";
import { documentWithDecks, generateRates } from "./gen.ts";

const [root = "bench.routing", bucket = "callctl-bench-routing", stream = "BENCHROUTING"] = process.argv.slice(2);
const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "routing-bench-server");
const kv = await new Kvm(nc).open(bucket);
const tel = setupTelemetry("routing-bench");
const router = new Router();
const log = createLogger("routing", { level: "warn" });
const svc = await startRouting({ router, nc, kv, log, tracer: tel.tracer, meter: tel.meter, subjects: { decide: `${root}.route.decide`, blocks: `${root}.route.blocks`, attempts: `${root}.calls.attempt`, stream } });
await svc.loaded;
const swapPrefixes = Number(process.env.ROUTING_BENCH_SWAP_PREFIXES ?? 0);
// ROUTING_BENCH_DECK_IDLE=0: the deck worker at nice 10 only; a "swap nice" line does the same for one swap (the A/B against SCHED_IDLE),
// a "swap fresh" line swaps with a worker of its own instead of the process's kept one
const idle = process.env.ROUTING_BENCH_DECK_IDLE !== "0";
if (swapPrefixes > 0) {
  const doc = documentWithDecks(10);
  (doc.rateDecks as Record<string, { rates: Record<string, number> }>)["bics-world-2025"]!.rates = generateRates(swapPrefixes, 7);
  const bytes = new TextEncoder().encode(JSON.stringify(doc));
  // as nats.js hands a KV value over: a view into a larger buffer (compileOffThread copies it)
  const natsBuffer = new Uint8Array(bytes.length + 64);
  natsBuffer.set(bytes, 7);
  const kvValue = natsBuffer.subarray(7, 7 + bytes.length);
  let revision = 1_000_000;
  const gaps = traceGaps();
  let lines = "";
  process.stdin.on("data", (d: Buffer) => {
    lines += d.toString();
    for (let nl = lines.indexOf("\n"); nl >= 0; nl = lines.indexOf("\n")) {
      const cmd = lines.slice(0, nl);
      lines = lines.slice(nl + 1);
      if (cmd === "gaps") process.stdout.write(`gaps ${gaps?.() ?? "off"}\n`);
      if (cmd !== "swap" && cmd !== "swap nice" && cmd !== "swap fresh") continue;
      // "swap fresh": a deck worker of its own for this document (started and ended with it)
      const deckWorker = { idle: idle && cmd !== "swap nice", fresh: cmd === "swap fresh" };
      const t0 = performance.now();
      void applyDocumentOffThread(router, kvValue, revision++, log, deckWorker).then((ok) => process.stdout.write(`swapped ${ok ? "ok" : "refused"} ${Math.round(performance.now() - t0)}\n`));
    }
  });
}
/**
 * ROUTING_BENCH_GAPS=1: a 1 ms interval on the decision thread notes every loop turn that came more
 * than 2 ms late; the returned function gives "<count> <sum ms> <max ms> <ms since the previous call>" and starts over.
 */
function traceGaps(): (() => string) | undefined {
  if (process.env.ROUTING_BENCH_GAPS !== "1") return undefined;
  let since = performance.now();
  let last = since;
  let n = 0;
  let sum = 0;
  let max = 0;
  setInterval(() => {
    const now = performance.now();
    const late = now - last - 1;
    if (late > 2) {
      n++;
      sum += late;
      max = Math.max(max, late);
    }
    last = now;
  }, 1);
  return () => {
    const now = performance.now();
    const r = `${n} ${sum.toFixed(1)} ${max.toFixed(1)} ${Math.round(now - since)}`;
    n = sum = max = 0;
    since = now;
    return r;
  };
}
process.stdout.write("ready\n");
serveCpuReport();
process.on("SIGTERM", async () => {
  await svc.stop();
  await nc.drain();
  process.exit(0);
});
