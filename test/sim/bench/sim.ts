// bench:sim — EslSimulator + LoadGenerator at a target CPS against a trivial ESL outbound agent
// running in a child process (its own core), so the simulator's one core is what is measured.
// Usage: pnpm bench:sim [cps=3000] [seconds=10] [events=plain3|json7]
//        pnpm bench:sim floor [bare|esl|both] [seconds=5] [concurrency=64]  (bench/floor.ts: bare TCP cost)
//        pnpm bench:sim wire [cps=3000] [seconds=10] [events] [net|raw]  (bench/wire.ts: the same calls' bytes, no logic)
//        pnpm bench:sim ari [cps=1000] [seconds=10]  (bench/ari.ts: the AriSimulator)
// Every run ends with the wire floor at the same CPS, seconds and events (`wireFloor`, a fresh
// process), so `overWireUsPerCall` is what the simulator's own logic costs per call in that run.
//   plain3: the agent subscribes to 3 plain event types (the figures before 2026-11-22 08:00);
//   json7: the switch agent's subscription (event json, 7 types).
import { execFileSync, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { measureFloor } from "@callctl/core";
import { EslSimulator, LoadGenerator, uvAvailable } from "../src/index.ts";
import { BENCH_MIX, perCall, threadCpuUs, timeWait } from "./common.ts";

/** Runs a sibling bench script in a fresh process; resolves to its last stdout line as JSON. */
function sibling(file: string, args: string[], echo: boolean): Promise<Record<string, unknown> | null> {
  const c = fork(new URL(file, import.meta.url), args, { execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "inherit", "ipc"] });
  let out = "";
  c.stdout!.on("data", (d: Buffer) => {
    out += d;
    if (echo) process.stdout.write(d);
  });
  return new Promise((r) =>
    c.on("exit", () => {
      try {
        r(JSON.parse(out.trim().split("\n").pop() ?? ""));
      } catch {
        r(null);
      }
    }),
  );
}
if (process.argv[2] === "floor" || process.argv[2] === "wire" || process.argv[2] === "ari") {
  await sibling(`./${process.argv[2]}.ts`, process.argv.slice(3), true);
  process.exit(0);
}
const cps = Number(process.argv[2] ?? 3000);
const seconds = Number(process.argv[3] ?? 10);
const events = process.argv[4] === "json7" ? "json7" : "plain3";
const agent = fork(new URL("./agent.ts", import.meta.url), [events], { execArgv: ["--import", "tsx"] });
const port = await new Promise<number>((r) => agent.once("message", (m) => r(Number(m))));
// SIM_PIN=1: the simulator process, all its threads (GC helpers included), on core 0 and the agent
// on core 1 (taskset), i.e. literally one core for the simulator.
const pinned = process.env.SIM_PIN === "1";
if (pinned) {
  execFileSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
  execFileSync("taskset", ["-a", "-p", "-c", "1", String(agent.pid)], { stdio: "ignore" });
}
const sim = new EslSimulator({
  agent: { host: "127.0.0.1", port },
  trunks: {},
  execDelayMs: 20,
  log: () => undefined,
});
/** Linux: SYNs dropped because the agent's accept queue was full (each costs the caller 1 s+). */
function listenOverflows(): number | null {
  try {
    const [h, v] = readFileSync("/proc/net/netstat", "utf8").split("\n").filter((l) => l.startsWith("TcpExt:"));
    const i = h!.split(" ").indexOf("ListenOverflows");
    return i > 0 ? Number(v!.split(" ")[i]) : null;
  } catch {
    return null;
  }
}
await sim.start();
const overflows0 = listenOverflows();
const timeWait0 = timeWait();
const cpu0 = process.cpuUsage();
const main0 = threadCpuUs();
const faults0 = process.resourceUsage().minorPageFault;
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const gen = new LoadGenerator({
  target: sim,
  cps,
  durationMs: seconds * 1000,
  // Two file descriptors per open call (the switch's end and the agent's): stay under `ulimit -n`.
  maxOpen: 8000,
  drainTimeoutMs: 30000,
  mix: BENCH_MIX,
});
const report = await gen.run();
const cpu = process.cpuUsage(cpu0);
const main1 = threadCpuUs();
const faults = process.resourceUsage().minorPageFault - faults0;
const overflows1 = listenOverflows();
const timeWait1 = timeWait();
if (agent.connected) agent.send("cpu");
const agentCpu = await new Promise<{ user: number; system: number }>((r) => {
  agent.once("message", (m) => r((m as { cpu: { user: number; system: number } }).cpu));
  agent.once("exit", () => r({ user: 0, system: 0 }));
});
await sim.stop();
agent.kill();
// The floor (NATS and Redis round trips) measured in the same run, when the local runtime is up.
const floor = await measureFloor({ n: 5000 }).catch(() => null);
// SIM_NO_WIRE=1 skips the wire floor (A/B runs of the simulator alone).
const wire = (process.env.SIM_NO_WIRE ? null : await sibling("./wire.ts", [String(cps), String(seconds), events], false)) as {
  cpuUsPerCall: number;
  callsPerCpuSecond: number;
  cpuUserUsPerCall: number;
  cpuSystemUsPerCall: number;
  pageFaultsPerCall: number;
  timeWait: { atStart: number | null; atEnd: number | null };
} | null;
const figures = perCall(report, cpu, faults, main0 === null || main1 === null ? null : main1 - main0);
console.log(
  JSON.stringify({
    bench: "switch-sim",
    targetCps: cps,
    seconds,
    pinned,
    events,
    /** Outbound connections on the libuv TCP handle or net.Socket (SIM_NET_ONLY=1; src/esl/transport.ts). */
    transport: uvAvailable ? "uv" : "net",
    ...report,
    ...figures,
    loopDelayMs: { p50: Math.round(loop.percentile(50) / 1e6), p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) },
    listenOverflows: overflows0 === null || overflows1 === null ? null : overflows1 - overflows0,
    /** TCP sockets in TIME_WAIT at the run's start and end (common.ts timeWait: they make connects dearer). */
    timeWait: { atStart: timeWait0, atEnd: timeWait1 },
    agentCpuCorePct: Math.round(((agentCpu.user + agentCpu.system) / 1000 / report.elapsedMs) * 100),
    node: process.version,
    loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
    floor,
    /** The same calls' bytes and writes from a process with no simulator logic (bench/wire.ts). */
    wireFloor: wire && {
      callsPerCpuSecond: wire.callsPerCpuSecond,
      cpuUsPerCall: wire.cpuUsPerCall,
      cpuUserUsPerCall: wire.cpuUserUsPerCall,
      cpuSystemUsPerCall: wire.cpuSystemUsPerCall,
      pageFaultsPerCall: wire.pageFaultsPerCall,
      timeWait: wire.timeWait,
    },
    overWireUsPerCall: wire && figures.cpuUsPerCall - wire.cpuUsPerCall,
  }),
);
