// The deck scan's worker thread (offthread.ts): one per process, started with the first document
// and kept, so that a swap under load does not pay, on a 2-core box, for a worker's bootstrap
// (~30 ms of CPU at the normal policy: a new isolate, its heap, the scan's source compiled) nor for
// the fork of `chrt` (a fork copies the page tables of the whole process and write-protects its
// pages, and the decision thread then takes a page fault on each first write). The worker sets its
// policy once, and again only when a job asks for another one or its deadline passed.
// `fresh: true` gives a worker of its own that ends with its job (the behaviour before 2026-12-03,
// kept for comparisons: ROUTING_BENCH_AB=fresh in bench/swap-nats.ts).
import { Worker } from "node:worker_threads";
import { CallctlError } from "@callctl/core";
import { SCAN_FUNCTIONS, type ScanReply } from "./deckscan.ts";

// Priority of the deck worker thread. A swap's CPU (~0.25 s for 1,000,000 prefixes) must not come
// out of the decisions' share: on a 2-core box the worker otherwise takes a core that the decision
// thread, nats-server and the callers share. Linux SCHED_IDLE (set with util-linux chrt, as Node
// has no sched_setscheduler): a waking thread of normal policy preempts it at once, and the
// scheduler counts its core as idle when placing a woken thread; nice 10 first, in case chrt is
// missing or refused. A box so busy that an idle-policy thread gets nothing for the job's deadline
// would starve the swap: the caller raises a flag then, and the worker, which polls it every 65,536
// rates, goes back to the normal policy (nice 10) itself.
const WORKER_NICE = 10;

export interface ScanOptions {
  maxMicro: number;
  /** Scan under SCHED_IDLE (else the normal policy at nice 10). */
  idle: boolean;
  /** After how long a scan still running leaves SCHED_IDLE. */
  idleDeadlineMs: number;
}

export type ScanResult = ScanReply & { input?: string | Uint8Array };

// keepNames (tsx/esbuild) wraps inner functions in __name(); the worker has no such helper.
// Messages in: { share: n, idle } (reply: { shared }, an n-byte SharedArrayBuffer whose pages the
// worker touched, so the page faults of fresh memory, 3-4 ms per MB on a VM, are the worker's) or a
// job { maxMicro, input, idle, late } (reply: the ScanReply; a refused document's bytes are handed
// back for the full path). `late`: an Int32 flag the caller sets once the job is past its deadline.
const SOURCE = `"use strict";
var __name = (f) => f;
${SCAN_FUNCTIONS.map(String).join("\n")}
const { parentPort } = require("node:worker_threads");
const { execFileSync } = require("node:child_process");
let tid;
try {
  // this thread only (Linux: a thread id is a pid for setpriority and sched_setscheduler)
  tid = require("node:fs").readlinkSync("/proc/thread-self").split("/").pop();
  require("node:os").setPriority(Number(tid), ${WORKER_NICE});
} catch {}
// A kept worker would hold what a scan leaves (the trie builders' arrays, its view of the shared
// input: ~90 MB for 1,000,000 prefixes) until its heap next needs a collection, which an idle
// worker never does: it collects right after each reply (under its own policy, off the decisions).
let collect;
try {
  require("node:v8").setFlagsFromString("--expose-gc");
  collect = require("node:vm").runInNewContext("gc");
} catch {}
let idleNow = false;
function policy(idle) {
  if (idle === idleNow || tid === undefined) return;
  try {
    execFileSync("chrt", [idle ? "--idle" : "--other", "-p", "0", tid], { stdio: "ignore", timeout: 2000 });
    idleNow = idle;
  } catch {}
}
parentPort.on("message", (job) => {
  policy(job.idle);
  if (job.share !== undefined) {
    const sab = new SharedArrayBuffer(job.share);
    const u = new Uint8Array(sab);
    for (let i = 0; i < u.length; i += 4096) u[i] = 0;
    parentPort.postMessage({ shared: sab });
    return;
  }
  const flag = new Int32Array(job.late);
  let poll = () => {
    if (Atomics.load(flag, 0) === 0) return;
    poll = undefined;
    policy(false);
  };
  let r;
  try {
    r = scanDocument(typeof job.input === "string" ? new TextEncoder().encode(job.input) : job.input, job.maxMicro, () => poll?.());
    if (r.ok) JSON.parse(r.skeleton); // a document broken outside the rates: the full path says where
  } catch (err) {
    r = { ok: false, reason: String(err) };
  }
  if (r.ok) parentPort.postMessage(r, r.decks.flatMap(([, a]) => [a.bits.buffer, a.first.buffer, a.val.buffer]));
  else parentPort.postMessage({ ...r, input: job.input }, typeof job.input === "string" || job.input.buffer instanceof SharedArrayBuffer ? [] : [job.input.buffer]);
  setImmediate(() => collect?.()); // once this job's references are gone
});`;

/** A worker thread built from `source` that answers each message with one message: jobs one at a time, in order. */
class JobWorker {
  private readonly w: Worker;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: { resolve: (m: unknown) => void; reject: (e: unknown) => void } | undefined;
  dead = false;

  constructor(
    source: string,
    private readonly persistent: boolean,
  ) {
    this.w = new Worker(source, { eval: true });
    this.w.on("message", (m) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    const fail = (err: unknown) => {
      this.dead = true;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    this.w.on("error", fail);
    this.w.on("exit", (code) => fail(new CallctlError("INTERNAL", `rate-deck worker exited with code ${code}`)));
  }

  ask<R>(msg: unknown): Promise<R> {
    if (this.dead) return Promise.reject(new CallctlError("INTERNAL", "rate-deck worker is gone"));
    return new Promise<R>((resolve, reject) => {
      // referenced while it works (an awaited job keeps the process up), not while it waits
      this.w.ref();
      const done = () => {
        if (this.persistent) this.w.unref();
      };
      this.pending = {
        resolve: (m) => {
          done();
          resolve(m as R);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      // a buffer of the caller's own is moved, a shared one is shared
      const input = (msg as { input?: unknown }).input;
      this.w.postMessage(msg, input instanceof Uint8Array && !(input.buffer instanceof SharedArrayBuffer) ? [input.buffer as ArrayBuffer] : []);
    });
  }

  /** A deck scan (SOURCE's protocol) after the jobs before it; `copy` bytes go through a shared buffer the worker touched first (copied in 1 MB steps). */
  scan(opts: ScanOptions, input: string | Uint8Array, copy: boolean): Promise<ScanResult> {
    const run = async (): Promise<ScanResult> => {
      if (copy && typeof input !== "string") {
        const { shared } = await this.ask<{ shared: SharedArrayBuffer }>({ share: input.byteLength, idle: opts.idle });
        const into = new Uint8Array(shared);
        await copyInSteps(input, into);
        input = into;
      }
      const late = new SharedArrayBuffer(4);
      // starved under SCHED_IDLE: back to the normal policy (the worker keeps nice 10)
      const deadline = opts.idle ? setTimeout(() => Atomics.store(new Int32Array(late), 0, 1), opts.idleDeadlineMs) : undefined;
      deadline?.unref();
      try {
        return await this.ask<ScanResult>({ maxMicro: opts.maxMicro, idle: opts.idle, late, input });
      } finally {
        clearTimeout(deadline);
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  terminate(): void {
    this.dead = true;
    void this.w.terminate();
  }
}

let kept: JobWorker | undefined;

/** One message to a worker of its own built from `source` (a Uint8Array `input` of the caller's own is moved), ended after its answer. */
export async function runInWorker<R>(source: string, msg: unknown): Promise<R> {
  const w = new JobWorker(source, false);
  try {
    return await w.ask<R>(msg);
  } finally {
    w.terminate();
  }
}

/** Scans `input` in the process's deck worker (started now if there is none), or in a worker of its own (`fresh`). */
export async function scanOffThread(opts: ScanOptions, input: string | Uint8Array, copy: boolean, fresh = false): Promise<ScanResult> {
  if (fresh) {
    const w = new JobWorker(SOURCE, false);
    try {
      return await w.scan(opts, input, copy);
    } finally {
      w.terminate();
    }
  }
  if (!kept || kept.dead) kept = new JobWorker(SOURCE, true);
  return kept.scan(opts, input, copy);
}

/** Copies `b` into `out` in 1 MB steps with the event loop's turn between them (a Buffer or a received message may share its buffer with other data). */
async function copyInSteps(b: Uint8Array, out: Uint8Array): Promise<void> {
  const STEP = 1 << 20;
  for (let off = 0; off < b.byteLength; off += STEP) {
    if (off > 0) await new Promise((r) => setImmediate(r));
    out.set(b.subarray(off, off + STEP), off);
  }
}
