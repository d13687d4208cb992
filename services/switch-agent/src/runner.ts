// Runs one call: feeds FlowEvents into the pure CallFlow and executes what it asks for. NATS
// requests (one round trip each, with a deadline), timers and JetStream publishes happen here;
// switch commands go to the driver's call object.
import { randomUUID } from "node:crypto";
import { pb, type callctl, publishDurable, request, SUBJECTS, type Logger, type NatsConnection } from "@callctl/core";
import type { JetStreamClient } from "@nats-io/jetstream";
import { type Clock, realClock } from "./clock.ts";
import type { IncomingCall } from "./driver.ts";
import { newCall, step } from "./flow/callflow.ts";
import type { CallInfo, CallState, Command, FlowConfig, FlowEvent, Reject, TimerName } from "./flow/types.ts";

/** Where the agent asks and publishes (tests serve the services on private subjects). */
export interface AgentSubjects {
  route: string;
  quote: string;
  authorize: string;
  extend: string;
  release: string;
  callEvent: (kind: string) => string;
  callback: string;
}

export const DEFAULT_SUBJECTS: AgentSubjects = {
  route: SUBJECTS.routeDecide, quote: SUBJECTS.tariffQuote, authorize: SUBJECTS.creditAuthorize, extend: SUBJECTS.creditExtend,
  release: SUBJECTS.creditRelease, callEvent: SUBJECTS.callEvent, callback: SUBJECTS.callbackRequest,
};

/** Setup answers obtained before the call existed (callback: authorized before leg a is dialled). */
export interface Preset {
  decision: callctl.v1.IRouteDecision;
  quote: callctl.v1.IQuote;
  auth: callctl.v1.IAuthorization;
}

export interface RunnerDeps {
  nc: NatsConnection;
  subjects: AgentSubjects;
  clock: Clock;
  js: JetStreamClient;
  log: Logger;
  node: string;
  driver: string;
  flow: FlowConfig;
  timeouts: { route: number; quote: number; authorize: number; other: number };
  metrics: AgentMetrics;
  /** Called with (start → first dial/announcement/reject) in µs: the decision latency. */
  onDecision?: (us: number) => void;
  /** Called with each setup request's round trip in µs (benchmark: where the decision time goes). */
  onStep?: (step: SetupStep, us: number) => void;
  onEnd?: (s: CallState) => void;
}

export interface AgentMetrics {
  failSafe(product: string): void;
  publishFailed(): void;
  callEnded(s: CallState): void;
}

const PUBLISH_RETRIES = 5;

export type SetupStep = "route" | "quote" | "authorize";

export class CallRunner {
  state: CallState;
  readonly #call: IncomingCall;
  readonly #d: RunnerDeps;
  #logger?: Logger;
  readonly #clock: Clock;
  readonly #preset?: Preset;
  #timers = new Map<TimerName, NodeJS.Timeout>();
  #t0 = process.hrtime.bigint();
  #decided = false;
  readonly publishes: Promise<void>[] = [];

  constructor(call: IncomingCall, deps: RunnerDeps, extra: Partial<CallInfo> = {}, preset?: Preset) {
    this.#call = call;
    this.#d = deps;
    this.#clock = deps.clock ?? realClock;
    this.#preset = preset;
    const callId = extra.callId ?? randomUUID();
    const info: CallInfo = { callId, caller: call.caller, dialed: call.dialed, node: deps.node, driver: deps.driver, ...extra };
    this.state = newCall(info, this.#clock.now(), deps.flow);
  }

  /** The call's child logger, made on first use (only warnings and errors log per call). */
  get #log(): Logger {
    this.#logger ??= this.#d.log.child({ call_id: this.state.info.callId, channel: this.#call.channelId });
    return this.#logger;
  }

  start(refuse?: Reject): void {
    this.#call.bind((ev) => this.feed(ev));
    const r = refuse ?? (this.#call.invalid ? { reason: this.#call.invalid, q850: 28 } : undefined);
    this.feed(r ? { type: "start", at: this.#clock.now(), refuse: r } : { type: "start", at: this.#clock.now() });
  }

  feed(ev: FlowEvent): void {
    const wasEnded = this.state.phase === "ended";
    const r = step(this.state, ev);
    this.state = r.state;
    for (const c of r.commands) this.#exec(c);
    if (!wasEnded && this.state.phase === "ended") {
      for (const t of this.#timers.values()) clearTimeout(t);
      this.#timers.clear();
      this.#d.metrics.callEnded(this.state);
      this.#d.onEnd?.(this.state);
    }
  }

  #exec(c: Command): void {
    switch (c.kind) {
      case "route":
        this.#route();
        return;
      case "quote":
        this.#quote(c.decision);
        return;
      case "authorize":
        this.#authorize(c);
        return;
      case "extend":
        this.#extend(c.reservationId, c.usedS);
        return;
      case "release":
        return void request(this.#d.nc, this.#d.subjects.release, pb.ReleaseRequest, { callId: this.state.info.callId, reservationId: c.reservationId, reason: c.reason }, pb.CommitResult, { timeoutMs: this.#d.timeouts.other }).catch((err) => this.#log.warn({ err }, "credit release failed"));
      case "setTimer": {
        clearTimeout(this.#timers.get(c.name));
        // A timer counts as due at its own time: timers may fire a clock tick before Date.now()
        // agrees, and the flow treats a limit timer earlier than the limit as stale.
        const t = this.#clock.after(c.atMs - this.#clock.now(), () => this.feed({ type: "timer", at: Math.max(this.#clock.now(), c.atMs), name: c.name }));
        this.#timers.set(c.name, t);
        return;
      }
      case "cancelTimer":
        clearTimeout(this.#timers.get(c.name));
        this.#timers.delete(c.name);
        return;
      case "publish":
        this.publishes.push(this.#publish(c.subjectKind, c.event, c.msgId));
        return;
      default:
        if (!this.#decided && (c.kind === "play" || c.kind === "dial" || c.kind === "hangup")) {
          this.#decided = true;
          this.#d.onDecision?.(Number(process.hrtime.bigint() - this.#t0) / 1000);
        }
        this.#call.run(c);
    }
  }

  #stepStart(): bigint {
    return this.#d.onStep ? process.hrtime.bigint() : 0n;
  }

  #stepDone(step: SetupStep, t: bigint): void {
    this.#d.onStep?.(step, Number(process.hrtime.bigint() - t) / 1000);
  }

  #fail(step: "route" | "quote" | "authorize", err: unknown): void {
    const code = (err as { code?: string }).code ?? "INTERNAL";
    this.#log.warn({ err, step }, "call setup request failed");
    if (step === "authorize") this.#d.metrics.failSafe(this.state.decision?.product || this.state.info.product || "");
    this.feed({ type: "failed", at: this.#clock.now(), step, code });
  }

  #route(): void {
    const p = this.#preset;
    if (p) {
      // Answers obtained before the call existed: fed in order, as if each had just arrived.
      queueMicrotask(() => {
        this.feed({ type: "routed", at: this.#clock.now(), decision: p.decision });
        this.feed({ type: "quoted", at: this.#clock.now(), quote: p.quote });
        this.feed({ type: "authorized", at: this.#clock.now(), auth: p.auth });
      });
      return;
    }
    const i = this.state.info;
    const req = { callId: i.callId, dialed: i.dialed, caller: i.caller, product: i.product ?? "", accountId: i.accountId ?? "", atMs: this.#clock.now(), node: i.node };
    const t = this.#stepStart();
    request(this.#d.nc, this.#d.subjects.route, pb.RouteRequest, req, pb.RouteDecision, { timeoutMs: this.#d.timeouts.route }).then(
      (decision) => {
        this.#stepDone("route", t);
        this.feed({ type: "routed", at: this.#clock.now(), decision });
      },
      (err) => this.#fail("route", err),
    );
  }

  #quote(d: callctl.v1.IRouteDecision): void {
    if (this.#preset) return;
    const req = { callId: this.state.info.callId, brand: d.brand ?? "", zone: d.destination?.zone ?? "", destination: d.destination ?? null, atMs: this.#clock.now(), product: d.product ?? "" };
    const t = this.#stepStart();
    request(this.#d.nc, this.#d.subjects.quote, pb.QuoteRequest, req, pb.Quote, { timeoutMs: this.#d.timeouts.quote }).then(
      (quote) => {
        this.#stepDone("quote", t);
        this.feed({ type: "quoted", at: this.#clock.now(), quote });
      },
      (err) => this.#fail("quote", err),
    );
  }

  #authorize(c: Extract<Command, { kind: "authorize" }>): void {
    if (this.#preset) return;
    const { decision: d, quote: q } = c;
    const i = this.state.info;
    const req = {
      callId: i.callId, accountId: d.accountId || i.accountId || "", product: d.product || i.product || "", brand: d.brand ?? "", caller: i.caller,
      destination: d.destination ?? null, pricePerMinMicro: q.pricePerMinMicro ?? 0, firstIncrementS: q.firstIncrementS ?? 0, nextIncrementS: q.nextIncrementS ?? 0,
      connectFeeMicro: q.connectFeeMicro ?? 0, requestedS: 0, sessionId: i.sessionId ?? "", atMs: this.#clock.now(), legs: i.leg ? 2 : 1,
    };
    const t = this.#stepStart();
    request(this.#d.nc, this.#d.subjects.authorize, pb.AuthorizeRequest, req, pb.Authorization, { timeoutMs: this.#d.timeouts.authorize }).then(
      (auth) => {
        this.#stepDone("authorize", t);
        this.feed({ type: "authorized", at: this.#clock.now(), auth });
      },
      (err) => this.#fail("authorize", err),
    );
  }

  #extend(reservationId: string, usedS: number): void {
    request(this.#d.nc, this.#d.subjects.extend, pb.ExtendRequest, { callId: this.state.info.callId, reservationId, usedS, requestedS: 0 }, pb.Authorization, { timeoutMs: this.#d.timeouts.other }).then(
      (auth) => this.feed({ type: "extended", at: this.#clock.now(), auth }),
      (err) => {
        this.#log.warn({ err }, "credit extend failed: the current limit holds");
        this.feed({ type: "extended", at: this.#clock.now() });
      },
    );
  }

  #publish(kind: string, event: callctl.v1.ICallEvent, msgId: string): Promise<void> {
    return publishCallEvent(this.#d, kind, event, msgId, this.#log);
  }
}

/** JetStream publish with a message id, retried with back-off: nothing is lost, nothing doubled. */
export async function publishCallEvent(d: Pick<RunnerDeps, "js" | "subjects" | "metrics">, kind: string, event: callctl.v1.ICallEvent, msgId: string, log: Logger): Promise<void> {
  const data = pb.CallEvent.encode(event).finish();
  for (let i = 0; ; i++) {
    try {
      await publishDurable(d.js, d.subjects.callEvent(kind), data, msgId);
      return;
    } catch (err) {
      if (i >= PUBLISH_RETRIES) {
        d.metrics.publishFailed();
        log.error({ err, msg_id: msgId }, "call event not published");
        return;
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** i));
    }
  }
}
