// Call-setup benchmark: the switch simulator places calls at a fixed rate into a real agent over
// real NATS; prints achieved CPS, decision latency (new call → first dial/announcement command,
// announcement excluded), PDD, concurrency held, and the NATS/Redis floor measured in the same run.
import { type callctl, createLogger, Latency, measureFloor, pb, SUBJECTS, startService, type NatsConnection } from "@callctl/core";
import { testNats } from "@callctl/core/testing";
import { EslSimulator, type SimCallResult } from "@callctl/switch-sim";
import { trace } from "@opentelemetry/api";
import { startSwitchAgent } from "../src/agent.ts";

export interface SetupBenchOptions {
  driver: "esl" | "ari";
  cps: number;
  durationS: number;
  /** How long answered calls stay up (ms): cps × holdMs / 1000 calls are held at once. */
  holdMs?: number;
  natsUrl?: string;
}

/**
 * Stand-ins answering route/quote/authorize with canned replies over real NATS, so the figure is the
 * agent's own cost plus three NATS round trips (the real services add their lookup time on top).
 */
async function standIns(nc: NatsConnection) {
  const log = createLogger("bench", { level: "warn" });
  const cands = [{ trunkId: "t1", gateway: "gw1", dialNumber: "436641234567", timeoutMs: 30_000 }];
  return startService(nc, {
    name: "bench-standins", version: "0.0.0",
    endpoints: [
      { name: "route", subject: SUBJECTS.routeDecide, request: pb.RouteRequest, reply: pb.RouteDecision, handle: (r: callctl.v1.IRouteRequest) => ({ callId: r.callId, outcome: pb.RouteOutcome.ROUTE, brand: "01097", product: "call-by-call", candidates: cands }) },
      { name: "quote", subject: SUBJECTS.tariffQuote, request: pb.QuoteRequest, reply: pb.Quote, handle: (r: callctl.v1.IQuoteRequest) => ({ callId: r.callId, pricePerMinMicro: 39_000, playlist: ["price/50ms"], announcementMs: 50 }) },
      { name: "auth", subject: SUBJECTS.creditAuthorize, request: pb.AuthorizeRequest, reply: pb.Authorization, handle: (r: callctl.v1.IAuthorizeRequest) => ({ callId: r.callId, outcome: pb.AuthOutcome.GRANT, maxDurationS: 3600, reservationId: "b", final: true }) },
      { name: "release", subject: SUBJECTS.creditRelease, request: pb.ReleaseRequest, reply: pb.CommitResult, handle: (r: callctl.v1.IReleaseRequest) => ({ callId: r.callId, ok: true }) },
    ],
  }, { log, tracer: trace.getTracer("bench") });
}

export async function runSetupBench(o: SetupBenchOptions) {
  if (o.driver !== "esl") throw new Error("setup bench: only --driver esl is wired so far");
  const nc = await testNats("bench-setup");
  const svc = await standIns(nc);
  const log = createLogger("switch-agent", { level: "error" });
  const agent = await startSwitchAgent({ nc, log, driver: "esl", node: "bench", timeouts: { route: 1000, quote: 1000, authorize: 1000 } });
  const sim = new EslSimulator({ agent: agent.address()!, trunks: { gw1: { kind: "answer", afterMs: 20 } }, timeScale: 1, defaultPlaybackMs: 50, execDelayMs: 1 });
  await sim.start();
  const holdMs = o.holdMs ?? 2000;
  const pdd = new Latency();
  const results: Promise<SimCallResult>[] = [];
  let maxActive = 0;
  const t0 = performance.now();
  const total = Math.round(o.cps * o.durationS);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / o.cps;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const h = sim.placeCall({ caller: "4930123456", dialed: "010970043664123456", hangupAfterAnswerMs: holdMs });
    results.push(
      h.done.then((r) => {
        if (r.pddMs !== undefined) pdd.recordUs(r.pddMs * 1000);
        return r;
      }),
    );
    if (i % 100 === 0) maxActive = Math.max(maxActive, agent.stats().active);
  }
  const placedS = (performance.now() - t0) / 1000;
  const all = await Promise.all(results);
  await agent.flush();
  const floor = await measureFloor({ n: 2000 });
  const out = {
    bench: "switch-agent setup", driver: o.driver, cps_target: o.cps, duration_s: o.durationS, calls: total,
    cps_achieved: Math.round((total / placedS) * 10) / 10,
    answered: all.filter((r) => r.answered).length,
    max_concurrent: maxActive,
    decision_us: agent.decisionLatency.summary(),
    pdd_us: pdd.summary(),
    agent: { fail_safe: agent.stats().failSafe, publish_failed: agent.stats().publishFailed },
    floor,
    note: "route/quote/authorize answered by in-process stand-ins over real NATS; announcement 50 ms (excluded)",
  };
  await sim.stop();
  await agent.stop();
  await svc.stop();
  await nc.close();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string, d: string) => process.argv[process.argv.indexOf(k) + 1] && process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1]! : d;
  const r = await runSetupBench({ driver: arg("--driver", "esl") as "esl", cps: Number(arg("--cps", "200")), durationS: Number(arg("--duration", "10")), holdMs: Number(arg("--hold-ms", "2000")) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exit(0);
}
