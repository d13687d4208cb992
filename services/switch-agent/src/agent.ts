// The switch agent in one call: a driver (esl | ari), a CallRunner per call, the node control
// endpoint (drain, seed 004 §5.2), the callback endpoint (seed 000 §3.3), metrics and statistics.
// Usable in-process by tests, the benchmark and the demo.
import { Latency, pb, type callctl, SUBJECTS, js as jetstream, startService, type Logger, type NatsConnection } from "@callctl/core";
import { metrics as otel, trace, type Meter } from "@opentelemetry/api";
import { AriDriver, type AriDriverOptions } from "./ari/driver.ts";
import { startCallbacks } from "./callback.ts";
import type { Driver, IncomingCall } from "./driver.ts";
import { EslDriver } from "./esl/driver.ts";
import { DRAIN_Q850 } from "./flow/causes.ts";
import { DEFAULT_FLOW_CONFIG, type CallState, type FlowConfig } from "./flow/types.ts";
import { type Clock, realClock } from "./clock.ts";
import { coalesceNatsWrites } from "./nats-writes.ts";
import { type AgentSubjects, CallRunner, DEFAULT_SUBJECTS, type AgentMetrics, type Preset, type RunnerDeps } from "./runner.ts";

export interface SwitchAgentOptions {
  nc: NatsConnection;
  log: Logger;
  node?: string;
  driver: "esl" | "ari";
  esl?: { host?: string; port?: number; promptDir?: string; inbound?: { host: string; port: number; password: string } };
  ari?: Omit<AriDriverOptions, "log">;
  flow?: Partial<FlowConfig>;
  /** Deadlines of the setup requests in ms (ARCHITECTURE.md: tens of milliseconds). */
  timeouts?: Partial<RunnerDeps["timeouts"]>;
  meter?: Meter;
  /** Private subjects (tests); default SUBJECTS of @callctl/core. */
  subjects?: Partial<AgentSubjects>;
  /** The agent's time (tests run a scaled clock with simulators at timeScale 1/scale). */
  clock?: Clock;
  /** Called for every finished call (tests, demo). */
  onCallEnded?: (s: CallState) => void;
  /** Each setup request's round trip in µs (benchmark). */
  onStep?: RunnerDeps["onStep"];
  /** One NATS write per event-loop turn instead of one per callback (nats-writes.ts); default true. */
  coalesceNatsWrites?: boolean;
}

export interface AgentStats {
  calls: number;
  active: number;
  refusedDraining: number;
  failSafe: number;
  publishFailed: number;
  decision: ReturnType<Latency["summary"]>;
}

export interface SwitchAgent {
  driver: Driver;
  node: string;
  /** Where FreeSWITCH's `socket` app must connect (esl driver). */
  address(): { host: string; port: number } | undefined;
  drain(): void;
  undrain(): void;
  status(): callctl.v1.INodeStatus;
  stats(): AgentStats;
  decisionLatency: Latency;
  /** Resolves when every call event published so far is acknowledged. */
  flush(): Promise<void>;
  ready(): boolean;
  stop(): Promise<void>;
}

export async function startSwitchAgent(o: SwitchAgentOptions): Promise<SwitchAgent> {
  const node = o.node ?? "node1";
  if (o.coalesceNatsWrites !== false) coalesceNatsWrites(o.nc);
  const log = o.log.child({ node, driver: o.driver });
  const meter = o.meter ?? otel.getMeter("switch-agent");
  const mCalls = meter.createCounter("callctl_switch_calls_total", { description: "calls handled, by disposition" });
  const mFailSafe = meter.createCounter("callctl_switch_credit_failsafe_total", { description: "calls allowed or denied by the credit fail-safe policy" });
  const mPubFail = meter.createCounter("callctl_switch_event_publish_failed_total");
  const mDecision = meter.createHistogram("callctl_switch_decision_seconds", { description: "new call → first dial/announcement" });
  const stats = { calls: 0, active: 0, refusedDraining: 0, failSafe: 0, publishFailed: 0 };
  const decisionLatency = new Latency();
  let draining = 0;
  const runners = new Set<CallRunner>();

  const metrics: AgentMetrics = {
    failSafe: (product) => {
      stats.failSafe++;
      mFailSafe.add(1, { product });
    },
    publishFailed: () => {
      stats.publishFailed++;
      mPubFail.add(1);
    },
    callEnded: (s) => mCalls.add(1, { disposition: pb.Disposition[s.disposition] ?? "UNKNOWN" }),
  };
  const clock = o.clock ?? realClock;
  const subjects: AgentSubjects = { ...DEFAULT_SUBJECTS, ...o.subjects };
  const deps: RunnerDeps = {
    nc: o.nc, subjects, clock, js: jetstream(o.nc), log, node, driver: o.driver, metrics,
    flow: { ...DEFAULT_FLOW_CONFIG, ...o.flow },
    timeouts: { route: 50, quote: 50, authorize: 50, other: 2000, ...o.timeouts },
    onDecision: (us) => {
      decisionLatency.recordUs(us);
      mDecision.record(us / 1e6);
    },
    onStep: o.onStep,
  };

  const driver: Driver =
    o.driver === "esl"
      ? new EslDriver({ host: o.esl?.host ?? "127.0.0.1", port: o.esl?.port ?? 0, promptDir: o.esl?.promptDir ?? "", inbound: o.esl?.inbound, log, now: clock.now })
      : new AriDriver({ ...(o.ari as AriDriverOptions), log, now: clock.now });

  const pending = new Set<Promise<void>>();
  const track = (r: CallRunner) => {
    runners.add(r);
    stats.calls++;
    stats.active++;
  };
  const ended = (r: CallRunner) => (s: CallState) => {
    runners.delete(r);
    stats.active--;
    for (const p of r.publishes) {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    o.onCallEnded?.(s);
  };
  const runCall = (call: IncomingCall, extra = {}, preset?: Preset, onEnd?: (s: CallState) => void) => {
    const r: CallRunner = new CallRunner(call, { ...deps, onEnd: (s) => {
      ended(r)(s);
      onEnd?.(s);
    } }, extra, preset);
    track(r);
    if (draining) stats.refusedDraining++;
    r.start(draining ? { reason: "NODE_DRAINING", q850: DRAIN_Q850 } : undefined);
    return r;
  };
  await driver.start((call) => void runCall(call));

  const status = (): callctl.v1.INodeStatus => ({
    node, draining: draining > 0, activeCalls: stats.active, driver: o.driver, switchHealthy: driver.healthy(), callsTotal: stats.calls, refusedDraining: stats.refusedDraining, sinceMs: draining,
  });
  const tracer = trace.getTracer("switch-agent");
  const services: Awaited<ReturnType<typeof startService>>[] = [];
  services.push(
    await startService(o.nc, {
      name: `switch-agent-control-${node}`, version: "0.1.0",
      endpoints: [{
        name: "control", subject: SUBJECTS.nodeControl(node), request: pb.NodeControlRequest, reply: pb.NodeStatus,
        handle: (req: callctl.v1.INodeControlRequest) => {
          if (req.action === "drain" && !draining) draining = Date.now();
          if (req.action === "undrain") draining = 0;
          if (req.action === "drain" || req.action === "undrain") log.warn({ action: req.action }, "node control");
          return status();
        },
      }],
    }, { log, tracer }),
  );
  services.push(await startCallbacks({ nc: o.nc, log, tracer, node, driver, deps, isDraining: () => draining > 0, runCall }));

  return {
    driver, node, decisionLatency,
    address: () => driver.address?.(),
    drain: () => void (draining ||= Date.now()),
    undrain: () => void (draining = 0),
    status,
    stats: () => ({ ...stats, decision: decisionLatency.summary() }),
    flush: async () => {
      for (const r of runners) for (const p of r.publishes) pending.add(p);
      await Promise.all([...pending]);
    },
    ready: () => driver.healthy() && !o.nc.isClosed(),
    async stop() {
      for (const s of services) await s.stop().catch(() => {});
      await driver.stop();
      await Promise.all([...pending]);
    },
  };
}
