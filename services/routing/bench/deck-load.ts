// A 1,000,000-prefix rate deck: JSON parse + validate + compile time and RSS (target <= 2 s,
// <= 200 MB), then p99 of decisions paced at 2,000/s with and without swapping the tables in.
// As in the service, the document is parsed, validated and its decks compiled in a worker thread
// (compileOffThread); the decision thread only swaps the finished tables in.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Latency } from "@callctl/core";
import { compileOffThread, Router } from "../src/index.ts";
import { dialedPool, documentWithDecks } from "./gen.ts";
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
const fresh = JSON.parse(execFileSync(process.execPath, [...process.execArgv, "--expose-gc", join(import.meta.dirname, "deck-rss.ts"), file], { encoding: "utf8" }));
const rss_parts = await rssParts(file);
rmSync(file);
const bytes = new TextEncoder().encode(json); // as the KV watch hands the document to the service
const tables = await compileOffThread(bytes);
const router = new Router({ tables });
const reqs = dialedPool(20_000).map((dialed) => ({ dialed, caller: "49301234567" }));
for (let i = 0; i < 100_000; i++) router.decide(reqs[i % reqs.length]!);

async function paced(seconds: number, swapEveryMs: number): Promise<{ p50_us: number; p99_us: number; max_us: number; swaps: number }> {
  const lat = new Latency();
  const rate = 2000;
  const start = performance.now();
  let sent = 0;
  let swaps = 0;
  let nextSwap = start + swapEveryMs;
  let compiling = false;
  while (performance.now() - start < seconds * 1000) {
    const now = performance.now();
    if (swapEveryMs && now >= nextSwap && !compiling) {
      compiling = true;
      // a fresh copy, as each KV delivery is (nats.js assembles the message); moved to the worker as the service does
      void compileOffThread(bytes.slice(), undefined, undefined, true).then((t) => {
        router.swap(t);
        swaps++;
        compiling = false;
      });
      nextSwap += swapEveryMs;
    }
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due) {
      // latency from when the decision was due, so a stalled loop counts
      const dueAt = start + (sent / rate) * 1000;
      router.decide(reqs[sent % reqs.length]!);
      lat.recordUs((performance.now() - dueAt) * 1000);
      sent++;
    }
    await new Promise((r) => setImmediate(r));
  }
  const s = lat.summary();
  return { p50_us: s.p50_us, p99_us: s.p99_us, max_us: s.max_us, swaps };
}

const steady = await paced(10, 0);
const swapping = await paced(10, 2500);
console.log(JSON.stringify({ bench: "routing.deck.load_and_swap", prefixes: N, json_mb: Math.round(json.length / 1e6), fresh_process: fresh, rss_parts, targets: { load_ms: 2000, rss_mb: 200 }, at_2000_per_s: { steady, swapping, p99_change_pct: Math.round(((swapping.p99_us - steady.p99_us) / Math.max(1, steady.p99_us)) * 100) }, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) }));
