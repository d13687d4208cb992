// What the ESL (sim.ts) and ARI (ari.ts) simulator benchmarks share, so their figures compare:
// the call mix and the per-call CPU figures of the simulator process.
import { readFileSync } from "node:fs";
import type { LoadMix, LoadReport } from "../src/index.ts";

/** 80 % answer after 300 ms with ringing at 50 ms, 10 % 486, 10 % 503; callers hang up 0.5-1.5 s after answer. */
export const BENCH_MIX: LoadMix = {
  destinations: () => `4930${Math.floor(Math.random() * 1e7)}`,
  holdMs: [500, 1500],
  trunks: {
    gw1: {
      kind: "mix",
      choices: [
        { weight: 80, behaviour: { kind: "answer", afterMs: 300, ringMs: 50 } },
        { weight: 10, behaviour: { kind: "busy", afterMs: 100 } },
        { weight: 10, behaviour: { kind: "fail", sipCode: 503, afterMs: 50 } },
      ],
    },
  },
};

/**
 * The calling thread's CPU time in µs (Linux: /proc/thread-self/schedstat, nanoseconds), or null.
 * Read on the main thread, it splits the process's CPU into the main thread and the rest (V8's GC
 * helpers, libuv's pool): the main thread is what must keep up with the offered rate.
 */
export function threadCpuUs(): number | null {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1000;
  } catch {
    return null;
  }
}

/**
 * TCP sockets in TIME_WAIT on this machine (Linux: /proc/net/sockstat), or null. The side that
 * closes first keeps one per connection for 60 s (the simulator: FreeSWITCH closes first), so a run
 * starts with those of the runs before it. Reported because a connect's port search walks them; it
 * did not measurably change the wire floor (3 sets from 0, 13,000 and 27,000: 163 / 180 / 178,
 * 183 / 182 / 183, 168 / 169 / 160 µs per call, 2026-12-07): the box's phases are not this.
 */
export function timeWait(): number | null {
  try {
    const m = /^TCP:.* tw (\d+)/m.exec(readFileSync("/proc/net/sockstat", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The simulator process's CPU (all threads) and minor page faults over a run, per call; `mainUs`: the main thread's share (threadCpuUs). */
export function perCall(report: LoadReport, cpu: NodeJS.CpuUsage, faults: number, mainUs: number | null = null) {
  const us = cpu.user + cpu.system;
  const n = Math.max(1, report.completed);
  // A call setup is new call -> answered or a final failure: every completed call had exactly one.
  const setups = Object.values(report.byOutcome).reduce((a, b) => a + b, 0);
  return {
    simCpuCorePct: Math.round((us / 1000 / report.elapsedMs) * 100),
    /** Contention-robust capacity: calls the simulator handles per second of its own CPU time. */
    callsPerCpuSecond: Math.round(report.completed / (us / 1e6)),
    /** Call setups (answered or failed) per second of the simulator's CPU time, and CPU per call. */
    setupsPerCpuSecond: Math.round(setups / (us / 1e6)),
    cpuUsPerCall: Math.round(us / n),
    /** The same split into user and kernel time (the kernel side is mostly the calls' TCP). */
    cpuUserUsPerCall: Math.round(cpu.user / n),
    cpuSystemUsPerCall: Math.round(cpu.system / n),
    /** Minor page faults per call (each is kernel time: fresh pages for the heap, the GC's semi-spaces, socket buffers). */
    pageFaultsPerCall: Math.round((faults / n) * 10) / 10,
    /** The main thread's CPU per call, and the other threads' (GC helpers): null off Linux. */
    mainThreadUsPerCall: mainUs === null ? null : Math.round(mainUs / n),
    otherThreadsUsPerCall: mainUs === null ? null : Math.round((us - mainUs) / n),
  };
}
