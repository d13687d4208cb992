// CPU time of other processes for the benchmark (Linux /proc): nats-server, postgres, redis.
import { readdirSync, readFileSync } from "node:fs";

const TICK_US = 10_000; // USER_HZ = 100 on Linux

/** user + system CPU µs of the given processes (0 for one that is gone). */
export function cpuUsOf(pids: number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      t += (Number(f[11]) + Number(f[12])) * TICK_US;
    } catch {
      /* exited */
    }
  }
  return t;
}

/** Pids whose command name is `name` (e.g. "postgres", "redis-server"). */
export function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, "utf8").trim() === name) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** CPU used between start() and the returned function's call, per process group, in µs. */
export function cpuMeter(groups: Record<string, () => number[]>): () => Record<string, number> {
  const pids = Object.fromEntries(Object.entries(groups).map(([k, f]) => [k, f()]));
  const t0 = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuUsOf(p)]));
  const self0 = process.cpuUsage();
  return () => {
    const self = process.cpuUsage(self0);
    const out: Record<string, number> = { node: self.user + self.system };
    for (const [k, p] of Object.entries(pids)) out[k] = cpuUsOf(p) - t0[k]!;
    return out;
  };
}
