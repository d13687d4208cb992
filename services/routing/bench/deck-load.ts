// A 1,000,000-prefix rate deck: JSON parse + validate + compile time and RSS (target <= 2 s,
// <= 200 MB), then p99 of decisions paced at 2,000/s with and without swapping the tables in.
// As in the service, the document is parsed, validated and its decks compiled in a worker thread
// (compileOffThread); the decision thread only swaps the finished tables in.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Latency, readYamlConfig } from "@callctl/core";
import { compileOffThread, Router } from "../src/index.ts";
import { dialedPool, documentWithDecks, EXAMPLE } from "./gen.ts";
import { rssParts } from "./rss-parts.ts";

const N = Number(process.env.PREFIXES ?? 1_000_000);
const { generateRates } = await import("./gen.ts");
const json = ((doc) => {
  (doc.rateDecks as Record<string, { rates: Record<string, number> }>)["bics-world-2025"]!.rates = generateRates(N, 7);
  return JSON.stringify(doc); // what the KV value holds; the generated object is garbage from here
})(documentWithDecks(10));
// load time and RSS in a fresh process (deck-rss.ts), as the service receives the document
const file = join(tmpdir(), `routing-deck-${process.pid}.json`);
writeFileSync(file, json);
const example = join(tmpdir(), `routing-example-${process.pid}.json`);
writeFileSync(example, JSON.stringify(readYamlConfig(EXAMPLE).doc));
const fresh = JSON.parse(execFileSync(process.execPath, [...process.execArgv, "--expose-gc", join(import.meta.dirname, "deck-rss.ts"), file, example], { encoding: "utf8" }));
// glibc keeps freed 16 MB buffers (the KV value, its copy) unless its mmap threshold is fixed: the same load with MALLOC_MMAP_THRESHOLD_
const freshFixedMalloc = JSON.parse(execFileSync(process.execPath, [...process.execArgv, "--expose-gc", join(import.meta.dirname, "deck-rss.ts"), file, example], { encoding: "utf8", env: { ...process.env, MALLOC_MMAP_THRESHOLD_: "131072" } }));
const rss_parts = { ...(await rssParts(file, example)), with_MALLOC_MMAP_THRESHOLD_131072: freshFixedMalloc };
rmSync(file);
rmSync(example);
const bytes = new TextEncoder().encode(json); // as the KV watch hands the document to the service
const tables = await compileOffThread(bytes);
const router = new Router({ tables });
const reqs = dialedPool(20_000).map((dialed) => ({ dialed, caller: "49301234567" }));
for (let i = 0; i < 100_000; i++) router.decide(reqs[i % reqs.length]!);

// Steady and swapping segments alternate (4 × 2.5 s each, one swap in each swapping segment,
// the segment lasting until that swap is in), so that a neighbour's load on the shared box falls
// on both about alike instead of on whichever 10 s ran when it was busy.
const SEGMENTS = 4;
const SEGMENT_MS = 2500;
// a KV watch hands over the value as a view into a larger buffer of nats.js's: so does this one,
// and compileOffThread copies it (in 1 MB steps, on this thread, timed) as it does in the service
const natsBuffer = new Uint8Array(bytes.length + 64);
natsBuffer.set(bytes, 7);
const kvValue = natsBuffer.subarray(7, 7 + bytes.length);

/** Decisions paced at 2,000/s for `ms`; with `swap`, one 1M-deck document compiled off-thread and swapped in 200 ms after the start. */
async function paced(lat: Latency, ms: number, swap: boolean): Promise<void> {
  const rate = 2000;
  const start = performance.now();
  let sent = 0;
  let pending = swap;
  let compiling = false;
  while (performance.now() - start < ms || compiling) {
    if (pending && performance.now() - start >= 200) {
      pending = false;
      compiling = true;
      void compileOffThread(kvValue, undefined, undefined, true, { idle: process.env.ROUTING_BENCH_DECK_IDLE !== "0" }).then((t) => {
        router.swap(t);
        compiling = false;
      });
    }
    // every decision whose due time has come (decision n is due at start + n/rate)
    const due = Math.floor(((performance.now() - start) / 1000) * rate) + 1;
    while (sent < due) {
      // latency from when the decision was due, so a stalled loop counts
      const dueAt = start + (sent / rate) * 1000;
      router.decide(reqs[sent % reqs.length]!);
      lat.recordUs((performance.now() - dueAt) * 1000);
      sent++;
    }
    await new Promise((r) => setImmediate(r));
  }
}

const steadyLat = new Latency();
const swapLat = new Latency();
for (let i = 0; i < SEGMENTS; i++) {
  await paced(steadyLat, SEGMENT_MS, false);
  await paced(swapLat, SEGMENT_MS, true);
}
const pick = (l: Latency) => ((s) => ({ count: s.count, p50_us: s.p50_us, p99_us: s.p99_us, max_us: s.max_us }))(l.summary());
const steady = pick(steadyLat);
const swapping = { ...pick(swapLat), swaps: SEGMENTS };
console.log(JSON.stringify({ bench: "routing.deck.load_and_swap", prefixes: N, json_mb: Math.round(json.length / 1e6), fresh_process: fresh, rss_parts, targets: { load_ms: 2000, rss_mb: 200 }, at_2000_per_s: { steady, swapping, p99_change_pct: Math.round(((swapping.p99_us - steady.p99_us) / Math.max(1, steady.p99_us)) * 100) }, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) }));
