// Call-setup benchmark in three processes: the REAL routing/tariff/credit services (services.ts),
// the switch simulator with the call generator (load.ts), and the agent here, all over the real
// nats-server and Redis. Prints achieved CPS, decision latency (new call → first switch command:
// route + quote + authorize round trips plus the agent's work; the announcement excluded), PDD as
// the simulator saw it, the concurrency held, and the NATS/Redis floor measured in the same run.
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createLogger, Latency, measureFloor } from "@callctl/core";
import { TEST_NATS_URL, TEST_REDIS_URL, testNats, uniq } from "@callctl/core/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { startSwitchAgent } from "../src/agent.ts";
import { serverCpu } from "./servers.ts";

export interface SetupBenchOptions {
  driver: "esl" | "ari";
  cps: number;
  durationS: number;
  /** How long answered calls stay up (ms): cps × holdMs / 1000 calls are held at once. */
  holdMs?: number;
  /** Width of the latency-over-time windows in `decision_windows` (s); default 5. */
  windowS?: number;
}

export interface DecisionWindow {
  /** End of the window, seconds since the load started. */
  t_s: number;
  decisions: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  /** Calls up in the agent at the end of the window. */
  active: number;
  /** The agent's event-loop delay p99 in this window. */
  loop_p99_ms: number;
}

/** BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there (run the parent with --cpu-prof too). */
function child(file: string, args: string[]): ChildProcess {
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return fork(join(import.meta.dirname, file), args, { execArgv: ["--import", "tsx", ...prof], stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

type Cpu = { user: number; system: number };
const pctOf = (c: Cpu, wallS: number) => Math.round(((c.user + c.system) / 1e6 / wallS) * 100);
const msPerCall = (c: Cpu, calls: number) => Math.round((c.user + c.system) / 10 / Math.max(1, calls)) / 100;

function next<T>(cp: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      cp.off("message", on);
      resolve(m[key] as T);
    };
    cp.on("message", on);
    cp.once("exit", (code) => reject(new Error(`${key}: child exited with ${code}`)));
  });
}

export async function runSetupBench(o: SetupBenchOptions) {
  const p = uniq("bench");
  const nc = await testNats("bench-setup");
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: `${p}_CALLS`, subjects: [`${p}.calls.>`], max_age: 3600 * 1e9 });
  const services = child("services.ts", [p]);
  const load = child("load.ts", [o.driver]);
  const [, sim] = await Promise.all([next(services, "ready"), next<{ url?: string }>(load, "sim")]);
  const log = createLogger("switch-agent", { level: "error" });
  // Round trip of each setup request as the agent saw it (its own queueing included).
  const steps = { route: new Latency(), quote: new Latency(), authorize: new Latency() };
  const agent = await startSwitchAgent({
    nc, log, driver: o.driver, node: p,
    subjects: {
      route: `${p}.route.decide`, quote: `${p}.tariff.quote`, authorize: `${p}.credit.authorize`, extend: `${p}.credit.extend`,
      release: `${p}.credit.release`, callEvent: (k) => `${p}.calls.${k}`, callback: `${p}.callback.request`,
    },
    ari: o.driver === "ari" ? { url: sim.url ?? "", username: "bench", password: "bench", app: "callctl", requestTimeoutMs: 5000 } : undefined,
    timeouts: { route: 1000, quote: 1000, authorize: 1000 },
    onStep: (step, us) => steps[step].recordUs(us),
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let maxActive = 0;
  // status() is cheap; stats() summarises the decision histogram (≈4 % of the agent's CPU at 20 Hz).
  const sample = setInterval(() => (maxActive = Math.max(maxActive, agent.status().activeCalls ?? 0)), 50);
  // Latency over time ("no growth in latency" while calls pile up): every decision also lands in a
  // per-window histogram, summarised and reset every windowS seconds.
  const win = new Latency();
  const winLoop = monitorEventLoopDelay({ resolution: 5 });
  winLoop.enable();
  const record = agent.decisionLatency.recordUs.bind(agent.decisionLatency);
  agent.decisionLatency.recordUs = (us: number) => {
    record(us);
    win.recordUs(us);
  };
  const windows: DecisionWindow[] = [];
  const windowS = o.windowS ?? 5;
  const closeWindow = () => {
    const w = win.summary();
    windows.push({ t_s: Math.round((performance.now() - t0) / 100) / 10, decisions: w.count, p50_us: w.p50_us, p99_us: w.p99_us, max_us: w.max_us, active: agent.status().activeCalls ?? 0, loop_p99_ms: Math.round(winLoop.percentile(99) / 1e6) });
    win.reset();
    winLoop.reset();
  };
  const windowTimer = setInterval(closeWindow, windowS * 1000);
  const loadBefore = loadavg()[0]!;
  const servers = serverCpu(TEST_NATS_URL, TEST_REDIS_URL);
  const srv0 = servers.sample();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = next<{ calls: number; placed_s: number; late_over_50ms: number; answered: number; pdd_us: { p50_us: number; p99_us: number }; cpu: Cpu }>(load, "done");
  const servicesCpu0 = next<Cpu>(services, "cpu");
  services.send({ cpu: true });
  const sCpu0 = await servicesCpu0;
  load.send({ go: true, agent: agent.address(), cps: o.cps, durationS: o.durationS, holdMs: o.holdMs ?? 2000 });
  const r = await done;
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const srv1 = servers.sample();
  const srvCpu = (k: "nats" | "redis"): Cpu => ({ user: (srv1[k] ?? 0) - (srv0[k] ?? 0), system: 0 });
  const servicesCpu1 = next<Cpu>(services, "cpu");
  services.send({ cpu: true });
  const sCpu1 = await servicesCpu1;
  const servicesCpu = { user: sCpu1.user - sCpu0.user, system: sCpu1.system - sCpu0.system };
  clearInterval(sample);
  clearInterval(windowTimer);
  if (win.count) closeWindow();
  await agent.flush();
  const floor = await measureFloor({ n: 2000 });
  const st = agent.stats();
  const out = {
    bench: "switch-agent setup", driver: o.driver, cps_target: o.cps, duration_s: o.durationS, hold_ms: o.holdMs ?? 2000, calls: r.calls,
    cps_achieved: Math.round((r.calls / r.placed_s) * 10) / 10, late_over_50ms: r.late_over_50ms, answered: r.answered, max_concurrent: maxActive,
    decision_us: st.decision, pdd_us: r.pdd_us,
    step_rtt_us: { route: steps.route.summary(), quote: steps.quote.summary(), authorize: steps.authorize.summary() }, agent: { fail_safe: st.failSafe, publish_failed: st.publishFailed, cpu_pct: pctOf(cpu, wallS) },
    cpu_pct: { agent: pctOf(cpu, wallS), services: pctOf(servicesCpu, wallS), sim_load: pctOf(r.cpu, wallS), nats_server: pctOf(srvCpu("nats"), wallS), redis: pctOf(srvCpu("redis"), wallS) },
    /** CPU time per call in each process (robust to the shared machine's load). nats-server and
     * redis are shared with other sessions: an upper bound (0 when the process was not found). */
    cpu_ms_per_call: {
      agent: msPerCall(cpu, r.calls), services: msPerCall(servicesCpu, r.calls), sim_load: msPerCall(r.cpu, r.calls),
      nats_server: msPerCall(srvCpu("nats"), r.calls), redis: msPerCall(srvCpu("redis"), r.calls),
      all: msPerCall({ user: cpu.user + cpu.system + servicesCpu.user + servicesCpu.system + r.cpu.user + r.cpu.system + srvCpu("nats").user + srvCpu("redis").user, system: 0 }, r.calls),
    },
    /** Of which in the kernel (socket reads and writes on loopback, accept, close). */
    sys_ms_per_call: { agent: msPerCall({ user: 0, system: cpu.system }, r.calls), services: msPerCall({ user: 0, system: servicesCpu.system }, r.calls), sim_load: msPerCall({ user: 0, system: r.cpu.system }, r.calls) },
    agent_loop_delay_ms: { p50: Math.round(loop.percentile(50) / 1e6), p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) },
    decision_windows: windows,
    loadavg_1m_before: Math.round(loadBefore * 100) / 100,
    loadavg_1m: Math.round(loadavg()[0]! * 100) / 100,
    floor, note: "3 processes: real routing+tariff+credit | simulator+load | agent; announcement 50 ms (excluded from decision)",
  };
  await agent.stop();
  services.send({ stop: true });
  await new Promise((res) => services.once("exit", res));
  await jsm.streams.delete(`${p}_CALLS`).catch(() => false);
  await nc.close();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string, d: string) => (process.argv.includes(k) ? (process.argv[process.argv.indexOf(k) + 1] ?? d) : d);
  const r = await runSetupBench({ driver: arg("--driver", "esl") as "esl" | "ari", cps: Number(arg("--cps", "200")), durationS: Number(arg("--duration", "10")), holdMs: Number(arg("--hold-ms", "2000")), windowS: Number(arg("--window-s", "5")) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exit(0);
}
