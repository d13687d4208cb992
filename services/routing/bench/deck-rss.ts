// Child of deck-load.ts: a fresh process in the service's position (tables from the example
// document as JSON, argv[3], loaded as the service loads a KV value, one decision made), handed
// the 1M-prefix document's bytes (argv[2], a JSON file), loads it as the service does (compileOffThread, the bytes moved to the worker) and
// reports load time and RSS before the document, with it, and after loading it, as one JSON line.
// The parent's own generator garbage does not count against the deck.
import { readFileSync } from "node:fs";
import { compileOffThread, Router } from "../src/index.ts";

const warm = new Router({ tables: await compileOffThread(readFileSync(process.argv[3]!), undefined, undefined, true) });
warm.decide({ dialed: "010970043664123456", caller: "49301234567" });
globalThis.gc?.();
const rssService = process.memoryUsage().rss; // the process as it runs, before the document arrives
// the document as a KV watch hands it over: a view into a larger buffer of nats.js's
let natsBuffer: Uint8Array | undefined = ((file) => {
  const b = new Uint8Array(file.length + 64);
  b.set(file, 7);
  return b;
})(readFileSync(process.argv[2]!));
const docBytes = natsBuffer.length - 64;
globalThis.gc?.();
const rss0 = process.memoryUsage().rss;
const c0 = process.cpuUsage();
const t0 = performance.now();
// staged in the kept shared buffer and read there by the worker, as in the service
const tables = await compileOffThread(natsBuffer.subarray(7, 7 + docBytes), undefined, undefined, true);
natsBuffer = undefined; // the service drops the KV entry once applied
const loadMs = Math.round(performance.now() - t0);
const c = process.cpuUsage(c0); // every thread of this otherwise idle process: the load's CPU cost
warm.swap(tables);
await new Promise((r) => setTimeout(r, 200)); // the worker's exit
globalThis.gc?.();
const m = process.memoryUsage();
const bytesOfDeck = tables.brands.get("01097")!.trunks.reduce((s, t) => s + t.deck.bytes, 0);
process.stdout.write(`${JSON.stringify({ load_ms: loadMs, load_cpu_ms: Math.round((c.user + c.system) / 1000), rss_service_mb: Math.round(rssService / 1e6), rss_with_document_mb: Math.round(rss0 / 1e6), rss_mb: Math.round(m.rss / 1e6), heap_used_mb: Math.round(m.heapUsed / 1e6), trie_mb: Math.round(bytesOfDeck / 1e6), doc_bytes: docBytes })}\n`);
