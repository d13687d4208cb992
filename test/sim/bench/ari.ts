// bench:sim ari — the AriSimulator under LoadGenerator: the same mix as the ESL run (80 % answer
// after 300 ms with ringing at 50 ms, 10 % 486, 10 % 503; callers hang up 0.5-1.5 s after answer),
// a trivial ARI agent in a child process (bench/ari-agent.ts, its own core): the simulator's one
// core is what is measured. Every call is StasisStart, an originate, answer, bridge, addChannel and
// the hang-ups over keep-alive HTTP, and ~20 events on one WebSocket.
// Usage: tsx test/sim/bench/ari.ts [cps=1000] [seconds=10]; prints one JSON line.
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { measureFloor } from "@callctl/core";
import { AriSimulator, LoadGenerator } from "../src/index.ts";
import { BENCH_MIX, perCall } from "./common.ts";

const cps = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 10);
if (!(cps > 0 && seconds > 0)) throw new Error("usage: ari.ts [cps>0] [seconds>0]");

const sim = new AriSimulator({ username: "ari", password: "ari", trunks: {}, sessionLimit: 4096, log: () => undefined });
const { url } = await sim.start();
const agent = fork(new URL("./ari-agent.ts", import.meta.url), [new URL(url).port], { execArgv: ["--import", "tsx"] });
await new Promise<void>((r, j) => {
  agent.once("message", () => r());
  agent.once("exit", () => j(new Error("ari agent exited")));
});
const cpu0 = process.cpuUsage();
const faults0 = process.resourceUsage().minorPageFault;
const gen = new LoadGenerator({ target: sim, cps, durationMs: seconds * 1000, maxOpen: 8000, drainTimeoutMs: 30000, mix: BENCH_MIX });
const report = await gen.run();
const cpu = process.cpuUsage(cpu0);
const faults = process.resourceUsage().minorPageFault - faults0;
agent.send("cpu");
const a = await new Promise<{ cpu: { user: number; system: number }; errors: number; statuses: Record<string, number> }>((r) => agent.once("message", (m) => r(m as never)));
agent.kill();
await sim.stop();
const floor = await measureFloor({ n: 5000 }).catch(() => null);
console.log(
  JSON.stringify({
    bench: "switch-sim-ari",
    targetCps: cps,
    seconds,
    ...report,
    ...perCall(report, cpu, faults),
    agentCpuCorePct: Math.round(((a.cpu.user + a.cpu.system) / 1000 / report.elapsedMs) * 100),
    agentErrors: a.errors,
    agentErrorsBy: a.statuses,
    droppedEvents: sim.droppedEvents,
    node: process.version,
    loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
    floor,
  }),
);
process.exit(0);
