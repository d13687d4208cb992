// bench:sim — EslSimulator + LoadGenerator at a target CPS against a trivial ESL outbound agent
// running in a child process (its own core), so the simulator's one core is what is measured.
// Usage: pnpm bench:sim [cps=3000] [seconds=10]
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { measureFloor } from "@callctl/core";
import { EslSimulator, LoadGenerator } from "../src/index.ts";

const cps = Number(process.argv[2] ?? 3000);
const seconds = Number(process.argv[3] ?? 10);
const agent = fork(new URL("./agent.ts", import.meta.url), { execArgv: ["--import", "tsx"] });
const port = await new Promise<number>((r) => agent.once("message", (m) => r(Number(m))));
const sim = new EslSimulator({
  agent: { host: "127.0.0.1", port },
  trunks: {},
  execDelayMs: 20,
  log: () => undefined,
});
await sim.start();
const cpu0 = process.cpuUsage();
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const gen = new LoadGenerator({
  target: sim,
  cps,
  durationMs: seconds * 1000,
  // Two file descriptors per open call (the switch's end and the agent's): stay under `ulimit -n`.
  maxOpen: 8000,
  drainTimeoutMs: 30000,
  mix: {
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
  },
});
const report = await gen.run();
const cpu = process.cpuUsage(cpu0);
if (agent.connected) agent.send("cpu");
const agentCpu = await new Promise<{ user: number; system: number }>((r) => {
  agent.once("message", (m) => r((m as { cpu: { user: number; system: number } }).cpu));
  agent.once("exit", () => r({ user: 0, system: 0 }));
});
await sim.stop();
agent.kill();
// The floor (NATS and Redis round trips) measured in the same run, when the local runtime is up.
const floor = await measureFloor({ n: 5000 }).catch(() => null);
console.log(
  JSON.stringify({
    bench: "switch-sim",
    targetCps: cps,
    seconds,
    ...report,
    simCpuCorePct: Math.round(((cpu.user + cpu.system) / 1000 / report.elapsedMs) * 100),
    /** Contention-robust capacity: calls the simulator handles per second of its own CPU time. */
    callsPerCpuSecond: Math.round(report.completed / ((cpu.user + cpu.system) / 1e6)),
    loopDelayMs: { p50: Math.round(loop.percentile(50) / 1e6), p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) },
    agentCpuCorePct: Math.round(((agentCpu.user + agentCpu.system) / 1000 / report.elapsedMs) * 100),
    node: process.version,
    loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
    floor,
  }),
);
