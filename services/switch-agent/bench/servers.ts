// CPU time of the shared servers the benchmark runs on (nats-server, redis-server), read from
// /proc: the budget is CPU per call summed over ALL processes on the box, not just ours.
// Other sessions' tests may use the same servers during a run: the figures are an upper bound.
import { readdirSync, readFileSync } from "node:fs";

const TICK_US = 10_000; // USER_HZ 100 on Linux

/** Pid of the process whose command line matches (e.g. nats-server listening on `port`). */
function findPid(match: (cmd: string[]) => boolean): number | undefined {
  let dirs: string[];
  try {
    dirs = readdirSync("/proc");
  } catch {
    return undefined;
  }
  for (const d of dirs) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (cmd.length && match(cmd)) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

function cpuUs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_US; // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

export interface ServerCpu {
  /** Cumulative CPU µs of nats-server and redis-server now (undefined where not found). */
  sample(): { nats?: number; redis?: number };
}

export function serverCpu(natsUrl: string, redisUrl: string): ServerCpu {
  const natsPort = new URL(natsUrl.includes("://") ? natsUrl : `nats://${natsUrl}`).port || "4222";
  const redisPort = new URL(redisUrl).port || "6379";
  const nats = findPid((c) => c[0]!.endsWith("nats-server") && (c.includes(natsPort) || (natsPort === "4222" && !c.includes("-p") && !c.includes("--port"))));
  const redis = findPid((c) => c[0]!.includes("redis-server") && c.join(" ").includes(`:${redisPort}`));
  return { sample: () => ({ nats: cpuUs(nats), redis: cpuUs(redis) }) };
}
