// Callback conferencing (seed 000 §3.3): on `callctl.callback.request` the agent routes, quotes and
// authorizes the call first (credit reserves both legs, `legs: 2`), so nobody is called back for a
// call that may not go; replies accepted with the granted time; then calls the caller back (leg a,
// trunks from routing the caller's number, failover on network causes only) and, once leg a
// answered, runs the ordinary CallFlow on it with those answers preset: price announcement to the
// caller, dial the destination (leg b), bridge, hang up at the granted limit (≤ 600 s ad-funded,
// 000 §5.3). One accounted call: both legs carry the same call_id and publish their own events
// (leg "a" / "b"). Leg a is billed from the moment the call was connected (leg b's billable start),
// so neither leg exceeds the grant; the caller's own pick-up time is its ATTEMPT's ended_ms.
import { randomUUID } from "node:crypto";
import { pb, type callctl, request, startService, type Logger, type NatsConnection } from "@callctl/core";
import type { Tracer } from "@opentelemetry/api";
import { type Driver, type IncomingCall, OriginateFailedError } from "./driver.ts";
import { newCall } from "./flow/callflow.ts";
import { DRAIN_Q850, dispositionOf, isNetworkFailure, Q850_NORMAL } from "./flow/causes.ts";
import { answeredEvent, attemptEvent, endedEvent, startedEvent } from "./flow/events.ts";
import type { Attempt, CallState, Command } from "./flow/types.ts";
import { type CallRunner, type Preset, publishCallEvent, type RunnerDeps } from "./runner.ts";

export interface CallbackDeps {
  nc: NatsConnection;
  log: Logger;
  tracer: Tracer;
  node: string;
  driver: Driver;
  deps: RunnerDeps;
  isDraining: () => boolean;
  runCall: (call: IncomingCall, extra?: object, preset?: Preset, onEnd?: (s: CallState) => void) => CallRunner;
}

/** 000 §5.3: an ad-funded call lasts at most 10 minutes. */
export const AD_FUNDED_MAX_S = 600;
const NUMBER = /^\+?[0-9]{4,20}$/;

type Reply = callctl.v1.ICallbackReply;

export async function startCallbacks(d: CallbackDeps) {
  const seen = new Map<string, Reply>();
  return startService(d.nc, {
    name: "switch-agent-callback", version: "0.1.0", queue: "switch-agent-callback",
    endpoints: [{
      name: "callback", subject: d.deps.subjects.callback, request: pb.CallbackRequest, reply: pb.CallbackReply,
      handle: async (req: callctl.v1.ICallbackRequest) => {
        // Idempotent by call_id: a retried request gets the first answer and places no second call.
        const prior = req.callId ? seen.get(req.callId) : undefined;
        if (prior) return prior;
        const reply = await accept(d, req);
        if (reply.accepted) {
          seen.set(reply.callId ?? "", reply);
          setTimeout(() => seen.delete(reply.callId ?? ""), 3600_000).unref();
        }
        return reply;
      },
    }],
  }, { log: d.log, tracer: d.tracer });
}

async function accept(d: CallbackDeps, req: callctl.v1.ICallbackRequest): Promise<Reply> {
  const callId = req.callId || randomUUID();
  const no = (reject: callctl.v1.IReject): Reply => ({ callId, accepted: false, node: d.node, reject });
  if (d.isDraining()) return no({ reason: "NODE_DRAINING", q850: DRAIN_Q850 });
  if (!d.driver.originate) return no({ reason: "NOT_SUPPORTED", q850: 79 });
  const caller = (req.caller ?? "").replace(/^\+/, "");
  const destination = req.destination ?? "";
  if (!NUMBER.test(caller) || !NUMBER.test(destination)) return no({ reason: "INVALID_NUMBER", q850: 28 });
  const product = req.product || "callback";
  const { nc, subjects: s, timeouts: to, clock } = d.deps;
  // An ad-funded call is paid by its web session (000 §5.3): without an explicit account the session
  // is the account, named as credit names it (`ad:<session>`), so routing's "account required" holds.
  const accountId = req.accountId || (product === "ad-funded" && req.sessionId ? `ad:${req.sessionId}` : "");
  const base = { callId, caller, product, accountId, node: d.node };
  try {
    const decision = await request(nc, s.route, pb.RouteRequest, { ...base, dialed: destination, atMs: clock.now() }, pb.RouteDecision, { timeoutMs: to.route });
    if (decision.outcome !== pb.RouteOutcome.ROUTE) return no(decision.reject ?? { reason: "ROUTE_REJECTED", q850: 21 });
    const legA = await request(nc, s.route, pb.RouteRequest, { ...base, dialed: caller, atMs: clock.now() }, pb.RouteDecision, { timeoutMs: to.route });
    if (legA.outcome !== pb.RouteOutcome.ROUTE || !legA.candidates?.length) return no(legA.reject ?? { reason: "NO_ROUTE", q850: 3 });
    const quote = await request(nc, s.quote, pb.QuoteRequest, { callId, brand: decision.brand ?? "", zone: decision.destination?.zone ?? "", destination: decision.destination ?? null, atMs: clock.now(), product: decision.product || product }, pb.Quote, { timeoutMs: to.quote });
    if (quote.error?.code) return no({ reason: "NO_TARIFF", q850: 41, detail: quote.error.code });
    const q = quote;
    const auth = await request(nc, s.authorize, pb.AuthorizeRequest, {
      callId, accountId: decision.accountId || base.accountId, product: decision.product || product, brand: decision.brand ?? "", caller, destination: decision.destination ?? null,
      pricePerMinMicro: q.pricePerMinMicro ?? 0, firstIncrementS: q.firstIncrementS ?? 0, nextIncrementS: q.nextIncrementS ?? 0, connectFeeMicro: q.connectFeeMicro ?? 0,
      requestedS: req.maxDurationS ?? 0, sessionId: req.sessionId ?? "", atMs: clock.now(), legs: 2,
    }, pb.Authorization, { timeoutMs: to.authorize });
    if (auth.outcome !== pb.AuthOutcome.GRANT || !auth.maxDurationS) return no(auth.deny ?? { reason: "NO_CREDIT", q850: 21 });
    const caps = [auth.maxDurationS, req.maxDurationS || Infinity, (decision.product || product) === "ad-funded" ? AD_FUNDED_MAX_S : Infinity];
    const maxS = Math.min(...caps);
    // A requested or ad-funded cap is final: no extension may grow the call past it.
    const final = auth.final || maxS >= Math.min(caps[1]!, caps[2]!);
    const preset: Preset = { decision, quote, auth: { ...auth, maxDurationS: maxS, final } };
    void dialLegA(d, { callId, caller, destination, product: decision.product || product, accountId: decision.accountId || base.accountId, sessionId: req.sessionId ?? "" }, legA, preset);
    return { callId, accepted: true, node: d.node, maxDurationS: maxS };
  } catch (err) {
    d.log.warn({ err, call_id: callId }, "callback setup failed");
    return no({ reason: "SETUP_FAILED", q850: 41, detail: (err as { code?: string }).code ?? "INTERNAL" });
  }
}

interface Leg {
  callId: string;
  caller: string;
  destination: string;
  product: string;
  accountId: string;
  sessionId: string;
}

async function dialLegA(d: CallbackDeps, l: Leg, route: callctl.v1.IRouteDecision, preset: Preset): Promise<void> {
  const { clock, timeouts, subjects, nc } = d.deps;
  const log = d.log.child({ call_id: l.callId, leg: "a" });
  const publish = (cmds: Command[]) => {
    for (const c of cmds) if (c.kind === "publish") void publishCallEvent(d.deps, c.subjectKind, c.event, c.msgId, log);
  };
  let a: CallState = {
    ...newCall({ callId: l.callId, caller: l.caller, dialed: l.caller, node: d.node, driver: d.driver.name, product: l.product, accountId: l.accountId, sessionId: l.sessionId, leg: "a" }, clock.now(), d.deps.flow),
    decision: preset.decision, quote: preset.quote, auth: preset.auth, phase: "dialing",
  };
  publish([startedEvent(a, a.startedMs)]);
  const cands = route.candidates ?? [];
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!;
    const att: Attempt = { n: i + 1, trunkId: c.trunkId ?? "", gateway: c.gateway ?? "", startedMs: clock.now(), progressMs: 0, endedMs: 0, sipCode: 0, q850: 0, disposition: 0 };
    try {
      // The destination's number is shown to the caller: they know who they asked to be connected with.
      const call = await d.driver.originate!({ gateway: c.gateway ?? "", number: c.dialNumber ?? l.caller, callerId: preset.decision.destination?.e164 ?? "", timeoutMs: c.timeoutMs || 30_000 });
      const done = { ...att, endedMs: clock.now(), progressMs: clock.now(), sipCode: 200, q850: Q850_NORMAL, disposition: pb.Disposition.ANSWERED_CALL };
      const legA = a;
      d.runCall(call, { callId: l.callId, leg: "b", caller: l.caller, dialed: l.destination, product: l.product, accountId: l.accountId, sessionId: l.sessionId }, preset, (b) => endLegA(legA, done, b, publish));
      return;
    } catch (err) {
      const q850 = err instanceof OriginateFailedError ? err.q850 : 41;
      const failed = { ...att, endedMs: clock.now(), q850, disposition: dispositionOf(q850) };
      a = { ...a, attempts: [...a.attempts, failed], q850 };
      publish([attemptEvent(a, failed)]);
      log.info({ q850, gateway: c.gateway }, "callback leg a not answered");
      if (!isNetworkFailure(q850) || d.isDraining()) break;
    }
  }
  // Leg a never answered: nothing to bill; the reservation of both legs goes back.
  const end = clock.now();
  a = { ...a, phase: "ended", endMs: end, hangupBy: "callee", disposition: dispositionOf(a.q850 || 41), sipCode: 0 };
  publish([endedEvent(a)]);
  void request(nc, subjects.release, pb.ReleaseRequest, { callId: l.callId, reservationId: preset.auth.reservationId ?? "", reason: "CALLBACK_NOT_ANSWERED" }, pb.CommitResult, { timeoutMs: timeouts.other }).catch((err) => log.warn({ err }, "credit release failed"));
}

/**
 * Leg a ends with the call: answered (billed from the connection) when leg b was; else its
 * attempt and end carry leg b's outcome (the callback did not connect, nothing is billed).
 */
function endLegA(a: CallState, att: Attempt, b: CallState, publish: (c: Command[]) => void): void {
  const connected = b.answerMs > 0;
  const attempt = connected ? att : { ...att, disposition: b.disposition };
  let st: CallState = { ...a, attempts: [...a.attempts, attempt], phase: "ended", endMs: b.endMs, hangupBy: b.hangupBy ?? "system", q850: b.q850, sipCode: b.sipCode, disposition: b.disposition };
  const out: Command[] = [attemptEvent(st, attempt)];
  if (connected) {
    st = { ...st, answerMs: b.billableStartMs, announcementEndMs: b.announcementEndMs };
    out.push(answeredEvent(st));
  }
  out.push(endedEvent(st));
  publish(out);
}
