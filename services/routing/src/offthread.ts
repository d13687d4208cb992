// Compiling a configuration document without stalling decisions. The deck worker is built from
// the source text of deckscan.ts's self-contained functions (plain JavaScript once loaded, so it
// starts in ~20 ms without a TypeScript loader): it scans the document's bytes, compiles every
// rate deck into a packed trie and returns the arrays (transferred, not copied) plus the document
// with the rates replaced by {}, which this thread parses and validates (a few kB) and compiles
// into the small tables. A document the scan does not take (see deckscan.ts) goes to the full
// path: JSON.parse and the schema in a TypeScript worker (deckworker.ts), same issues as
// validateConfig. The returned Tables are compile()'s except that `config.rateDecks[*].rates` is
// empty: the raw rates are not kept.
import { Worker } from "node:worker_threads";
import { CallctlError, ConfigFileError, validateConfig } from "@callctl/core";
import { MAX_MICRO, routingConfigSchema, type RoutingConfig } from "./config.ts";
import { SCAN_FUNCTIONS, type ScanReply } from "./deckscan.ts";
import type { DeckJob, DeckReply } from "./deckworker.ts";
import { PackedPrefixTable } from "./packed.ts";
import { compile, type Tables } from "./tables.ts";

/**
 * Parses, validates and compiles `input` (JSON text or UTF-8 bytes) off this thread. Rejects with
 * ConfigFileError for a bad document. Bytes are copied (in 1 MB steps, decisions may run between
 * them) into a shared buffer that the worker allocated and touched (so the page faults of 16 MB of
 * fresh memory, 3-4 ms per MB on a VM, fall on the worker's thread, not on the decisions'), unless
 * `transfer` is set and the Uint8Array spans its whole buffer: then that buffer is moved and the
 * caller's view detached.
 */
export async function compileOffThread(input: string | Uint8Array, revision?: number, fallbackFile = revision === undefined ? "(config)" : `kv:callctl-config/config@${revision}`, transfer = false, opts: DeckWorkerOptions = {}): Promise<Tables> {
  if (typeof input !== "string" && input.byteLength === 0) input = new Uint8Array(0); // nothing to share: the scan refuses it
  const own = typeof input === "string" || (transfer && ownsBuffer(input));
  const fast = await run<ScanReply & { input?: string | Uint8Array }>(SCAN_SOURCE, { maxMicro: MAX_MICRO, input }, opts, !own);
  if (fast.ok) {
    const { skeleton, decksAt, decksLength } = fast;
    const outside = decksAt < 0 ? skeleton : `${skeleton.slice(0, decksAt)}\u0000${skeleton.slice(decksAt + decksLength)}`;
    const prev = last?.outside === outside ? last : undefined;
    let config = prev && decksAt >= 0 ? withDecks(prev.config, skeleton.slice(decksAt, decksAt + decksLength)) : undefined;
    if (!config) {
      // the worker has parsed the skeleton once, so this parse succeeds
      const doc: unknown = JSON.parse(skeleton);
      await new Promise((r) => setImmediate(r)); // decisions due meanwhile go first (~1 ms each step)
      config = validateConfig(routingConfigSchema, doc, {}, fallbackFile);
    }
    await new Promise((r) => setImmediate(r));
    const decks = new Map<string, PackedPrefixTable>();
    for (const [id, a] of fast.decks) decks.set(id, new PackedPrefixTable(a));
    const tables = compile(config, revision, decks, prev);
    last = { outside, config, plan: tables.plan };
    return tables;
  }
  // the scan did not take the document: it sent the bytes back for the full path
  // (the scan's worker hands the bytes back on every refusal: its own buffer, or the shared one)
  if (fast.input === undefined) throw new CallctlError("INTERNAL", "rate-deck worker refused the document without handing it back");
  const reply = await run<DeckReply>(tsxSource(), { fallbackFile, input: fast.input });
  if (!reply.ok) {
    if (reply.issues) throw new ConfigFileError(reply.issues);
    throw new CallctlError(reply.code === "CONFIG_INVALID" ? "CONFIG_INVALID" : "INTERNAL", reply.message);
  }
  const decks = new Map<string, PackedPrefixTable>();
  for (const [id, a] of reply.decks) decks.set(id, new PackedPrefixTable(a));
  return compile(reply.config as RoutingConfig, revision, decks);
}

// The last document compiled here, by its text outside the rates decks. A deck update changes only
// rates and deck versions: then the rest is not parsed and validated again (1-3 ms on the decision
// thread, ~20 ms when that code has gone cold between swaps) and its tables are reused.
// (Only the configuration and the number plan are kept: never a deck.)
let last: { outside: string; config: RoutingConfig; plan: Tables["plan"] } | undefined;

/**
 * The previous validated configuration with new rate decks, when they are what the schema would
 * accept given the unchanged rest: the same deck ids (so every trunk's rateDeck still exists),
 * each exactly { version: non-empty string, rates: {} } (the scan checked every rate). Otherwise
 * undefined, and the whole document is validated.
 */
function withDecks(prev: RoutingConfig, decksText: string): RoutingConfig | undefined {
  const rd = JSON.parse(decksText) as unknown;
  if (typeof rd !== "object" || rd === null || Array.isArray(rd)) return undefined;
  const ids = Object.keys(rd);
  if (ids.length !== Object.keys(prev.rateDecks).length) return undefined;
  for (const id of ids) {
    if (!Object.hasOwn(prev.rateDecks, id)) return undefined;
    const d = (rd as Record<string, unknown>)[id] as { version?: unknown; rates?: unknown } | null;
    if (typeof d !== "object" || d === null || Array.isArray(d) || Object.keys(d).length !== 2) return undefined;
    if (typeof d.version !== "string" || d.version.length === 0) return undefined;
    if (typeof d.rates !== "object" || d.rates === null || Array.isArray(d.rates) || Object.keys(d.rates).length > 0) return undefined;
  }
  return { ...prev, rateDecks: rd as RoutingConfig["rateDecks"] };
}

const ownsBuffer = (b: Uint8Array) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer);

/** Copies `b` into `out` in 1 MB steps with the event loop's turn between them (a Buffer or a received message may share its buffer with other data). */
async function copyInSteps(b: Uint8Array, out: Uint8Array): Promise<void> {
  const STEP = 1 << 20;
  for (let off = 0; off < b.byteLength; off += STEP) {
    if (off > 0) await new Promise((r) => setImmediate(r));
    out.set(b.subarray(off, off + STEP), off);
  }
}

// Priority of the deck worker thread. A swap's CPU (~0.25 s for 1,000,000 prefixes) must not come
// out of the decisions' share: on a 2-core box the worker otherwise takes a core that the decision
// thread, nats-server and the callers share. Linux SCHED_IDLE (set with util-linux chrt, as Node
// has no sched_setscheduler): a waking thread of normal policy preempts it at once, and the
// scheduler counts its core as idle when placing a woken thread; nice 10 first, in case chrt is
// missing or refused. A box so busy that an idle-policy thread gets nothing for IDLE_DEADLINE_MS
// would starve the swap: this thread raises a flag then, and the worker, which polls it every
// 65,536 rates, goes back to the normal policy (nice 10) itself (a fork for chrt from this thread
// would stall decisions ~20 ms: the page tables of the whole process are copied).
const WORKER_NICE = 10;
const IDLE_DEADLINE_MS = 2000;

export interface DeckWorkerOptions {
  /** Run the deck scan under SCHED_IDLE (default true; false: nice 10 only). */
  idle?: boolean;
  /** After how long a scan still running leaves SCHED_IDLE (default IDLE_DEADLINE_MS). */
  idleDeadlineMs?: number;
}

// With workerData.share = n, a worker first allocates an n-byte shared buffer, touches every page of
// it and posts it; the caller copies the document into it and then posts the job (run()).
const SHARE_INPUT = `if (workerData.share > 0) {
  const sab = new SharedArrayBuffer(workerData.share);
  const u = new Uint8Array(sab);
  for (let i = 0; i < u.length; i += 4096) u[i] = 0;
  parentPort.postMessage({ shared: sab });
}`;

// keepNames (tsx/esbuild) wraps inner functions in __name(); the worker has no such helper
const SCAN_SOURCE = `"use strict";
var __name = (f) => f;
${SCAN_FUNCTIONS.map(String).join("\n")}
const { parentPort, workerData } = require("node:worker_threads");
let poll;
try {
  // this thread only (Linux: a thread id is a pid for setpriority and sched_setscheduler)
  const tid = require("node:fs").readlinkSync("/proc/thread-self").split("/").pop();
  require("node:os").setPriority(Number(tid), ${WORKER_NICE});
  if (workerData.idle) {
    require("node:child_process").execFileSync("chrt", ["--idle", "-p", "0", tid], { stdio: "ignore", timeout: 2000 });
    const flag = new Int32Array(workerData.late);
    poll = () => {
      if (Atomics.load(flag, 0) === 0) return;
      poll = undefined;
      try { require("node:child_process").execFileSync("chrt", ["--other", "-p", "0", tid], { stdio: "ignore", timeout: 2000 }); } catch {}
    };
  }
} catch {}
${SHARE_INPUT}
parentPort.once("message", (job) => {
  let r;
  try {
    r = scanDocument(typeof job.input === "string" ? new TextEncoder().encode(job.input) : job.input, job.maxMicro, () => poll?.());
    if (r.ok) JSON.parse(r.skeleton); // a document broken outside the rates: the full path says where
  } catch (err) {
    r = { ok: false, reason: String(err) };
  }
  if (r.ok) parentPort.postMessage(r, r.decks.flatMap(([, a]) => [a.bits.buffer, a.first.buffer, a.val.buffer]));
  else parentPort.postMessage({ ...r, input: job.input }, typeof job.input === "string" || job.input.buffer instanceof SharedArrayBuffer ? [] : [job.input.buffer]);
});`;

// the full path runs TypeScript like this thread does (no build step): register tsx there first
// (resolved only when needed, so the module also loads where tsx is not installed)
const tsxSource = () => `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => m.register()).then(() => import(${JSON.stringify(new URL("./deckworker.ts", import.meta.url).href)}))`;

/**
 * One job in a new worker. `share`: job.input (bytes) is copied into a shared buffer the worker
 * provides (SHARE_INPUT) instead of being moved.
 */
function run<R>(source: string, job: DeckJob | { maxMicro: number; input: string | Uint8Array }, opts: DeckWorkerOptions = {}, share = false): Promise<R> {
  return new Promise((resolve, reject) => {
    // one worker per document: a swap is rare, and its heap goes with it
    const idle = opts.idle !== false && process.platform === "linux" && source === SCAN_SOURCE;
    const late = new SharedArrayBuffer(4); // set after IDLE_DEADLINE_MS: the worker leaves SCHED_IDLE
    const bytes = typeof job.input === "string" ? undefined : job.input;
    const shareBytes = share && bytes && source === SCAN_SOURCE ? bytes.byteLength : 0;
    const w = new Worker(source, { eval: true, workerData: { idle, late, share: shareBytes } });
    let done = false;
    // starved under SCHED_IDLE: back to the normal policy (the worker keeps nice 10)
    const deadline = idle ? setTimeout(() => Atomics.store(new Int32Array(late), 0, 1), opts.idleDeadlineMs ?? IDLE_DEADLINE_MS) : undefined;
    deadline?.unref();
    const onResult = (r: R) => {
      done = true;
      clearTimeout(deadline);
      resolve(r);
      void w.terminate();
    };
    if (shareBytes > 0 && bytes) {
      w.once("message", (m: { shared: SharedArrayBuffer }) => {
        const into = new Uint8Array(m.shared);
        copyInSteps(bytes, into).then(
          () => {
            w.once("message", onResult);
            w.postMessage({ ...job, input: into });
          },
          (err: unknown) => {
            done = true;
            reject(err);
            void w.terminate();
          },
        );
      });
    } else w.once("message", onResult);
    w.once("error", (err) => {
      done = true;
      clearTimeout(deadline);
      reject(err);
    });
    w.once("exit", (code) => {
      clearTimeout(deadline);
      if (!done) reject(new CallctlError("INTERNAL", `rate-deck worker exited with code ${code}`));
    });
    // a buffer of the caller's own (compileOffThread's `transfer`) is moved, not copied; a shared one is shared
    if (shareBytes === 0) w.postMessage(job, !bytes || bytes.buffer instanceof SharedArrayBuffer ? [] : [bytes.buffer as ArrayBuffer]);
  });
}
