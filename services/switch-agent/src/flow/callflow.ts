// The call as a pure state machine: step(state, event) → { state, commands }. No I/O, no timers,
// no switch names: the runner executes the commands (NATS requests, timers, publishes) and the
// driver the switch ones (play, dial, bridge, hangup), and both feed results back as events.
// ARCHITECTURE.md "The call, step by step"; DOMAIN.md §3 (price announcement), §5 (causes), §7.
import { pb } from "@callctl/core";
import { dispositionOf, isNetworkFailure, Q850_NORMAL, Q850_TEMPORARY_FAILURE, sipForQ850 } from "./causes.ts";
import { answeredEvent, attemptEvent, endedEvent, startedEvent } from "./events.ts";
import { DEFAULT_FLOW_CONFIG, type Authorization, type CallInfo, type CallState, type Command, type FlowConfig, type FlowEvent, type Reject, type RouteDecision, type Step } from "./types.ts";

export function newCall(info: CallInfo, startedMs: number, cfg: FlowConfig = DEFAULT_FLOW_CONFIG): CallState {
  return {
    phase: "new", info, cfg, startedMs, candidate: -1, attempts: [], announcementEndMs: 0, answerMs: 0, billableStartMs: 0,
    limitMs: 0, extending: false, failSafe: false, endMs: 0, q850: 0, sipCode: 0, disposition: 0,
  };
}

const ended = (s: CallState) => s.phase === "ended";

export function step(s: CallState, ev: FlowEvent): Step {
  if (ended(s)) return afterEnd(s, ev);
  switch (ev.type) {
    case "start":
      if (s.phase !== "new") return { state: s, commands: [] };
      if (ev.refuse) return reject({ ...s, startedMs: ev.at }, ev.refuse, ev.at);
      return { state: { ...s, phase: "routing", startedMs: ev.at }, commands: [{ kind: "route" }] };
    case "routed": {
      if (s.phase !== "routing") return { state: s, commands: [] };
      const d = ev.decision;
      const st = { ...s, decision: d };
      if (d.outcome !== pb.RouteOutcome.ROUTE) return reject(st, d.reject ?? failReject(s, "ROUTE_REJECTED"), ev.at);
      if (!d.candidates?.length) return reject(st, { reason: "NO_ROUTE", q850: 3, announcement: s.cfg.failAnnouncement }, ev.at);
      if (isEmergency(d)) return grant({ ...st, auth: emergencyGrant(s) }, ev.at);
      return { state: { ...st, phase: "quoting" }, commands: [{ kind: "quote", decision: d }] };
    }
    case "quoted": {
      if (s.phase !== "quoting" || !s.decision) return { state: s, commands: [] };
      if (ev.quote.error?.code) return reject({ ...s, quote: ev.quote }, failReject(s, "NO_TARIFF"), ev.at);
      return { state: { ...s, phase: "authorizing", quote: ev.quote }, commands: [{ kind: "authorize", decision: s.decision, quote: ev.quote }] };
    }
    case "authorized":
      if (s.phase !== "authorizing") return { state: s, commands: [] };
      if (ev.auth.outcome === pb.AuthOutcome.GRANT && (ev.auth.maxDurationS ?? 0) > 0) return grant({ ...s, auth: ev.auth }, ev.at);
      return reject({ ...s, auth: ev.auth }, ev.auth.deny?.q850 ? ev.auth.deny : { reason: ev.auth.deny?.reason || "NO_CREDIT", q850: 21, announcement: ev.auth.deny?.announcement || "reject/no_credit" }, ev.at);
    case "failed":
      return failed(s, ev);
    case "playDone":
      return playDone(s, ev);
    case "progress": {
      if (s.phase !== "dialing") return { state: s, commands: [] };
      const attempts = s.attempts.map((a, i) => (i === s.attempts.length - 1 && !a.progressMs ? { ...a, progressMs: ev.at } : a));
      return { state: { ...s, attempts }, commands: [] };
    }
    case "answered":
      return answered(s, ev.at);
    case "dialFailed":
      return dialFailed(s, ev);
    case "timer":
      return timer(s, ev.name, ev.at);
    case "extended":
      return extended(s, ev);
    case "hangup":
      return hangup(s, ev);
  }
}

const EMERGENCY_TYPES: readonly number[] = [pb.NumberType.EMERGENCY, pb.NumberType.HARMONISED];
const isEmergency = (d: RouteDecision) => EMERGENCY_TYPES.includes(d.destination?.numberType ?? -1);

/** An emergency route needs no tariff and no credit: nothing to announce, nothing to charge, no
 * account to ask (routing leaves it empty), and a credit or tariff outage must not block it. */
function emergencyGrant(s: CallState): Authorization {
  return { callId: s.info.callId, outcome: pb.AuthOutcome.GRANT, maxDurationS: s.cfg.emergencyMaxS, final: true, reservationId: "" };
}

function failReject(s: CallState, reason: string): Reject {
  return { reason, q850: Q850_TEMPORARY_FAILURE, announcement: s.cfg.failAnnouncement };
}

/** Fail-safe policy (ARCHITECTURE.md): route or tariff down → refuse; credit down → deny, except the
 * postpaid products in cfg.failSafeProducts, allowed with a capped duration (the runner counts it). */
function failed(s: CallState, ev: Extract<FlowEvent, { type: "failed" }>): Step {
  const want = ev.step === "route" ? "routing" : ev.step === "quote" ? "quoting" : "authorizing";
  if (s.phase !== want) return { state: s, commands: [] };
  if (ev.step === "authorize") {
    const product = s.decision?.product || s.info.product || "";
    if (s.cfg.failSafeProducts.includes(product)) {
      const auth = { callId: s.info.callId, outcome: pb.AuthOutcome.GRANT, maxDurationS: s.cfg.failSafeMaxS, final: true, failSafe: true, reservationId: "" };
      return grant({ ...s, auth, failSafe: true }, ev.at);
    }
    return reject(s, { reason: "CREDIT_UNAVAILABLE", q850: Q850_TEMPORARY_FAILURE, announcement: s.cfg.failAnnouncement, detail: ev.code }, ev.at);
  }
  return reject(s, { ...failReject(s, ev.step === "route" ? "ROUTING_UNAVAILABLE" : "TARIFF_UNAVAILABLE"), detail: ev.code }, ev.at);
}

function reject(s: CallState, r: Reject, at: number): Step {
  const q850 = r.q850 || Q850_TEMPORARY_FAILURE;
  const st: CallState = { ...s, phase: "rejecting", reject: { ...r, q850 }, q850, sipCode: sipForQ850(q850), disposition: pb.Disposition.REJECTED };
  const commands: Command[] = [startedEvent(st, at)];
  if (r.announcement) {
    commands.push({ kind: "play", id: "reject", playlist: [r.announcement], early: true });
    return { state: st, commands };
  }
  return finish(st, at, "system", commands, { kind: "hangup", q850, sipCode: st.sipCode, reason: r.reason ?? "" });
}

function grant(s: CallState, at: number): Step {
  const st: CallState = { ...s, phase: "announcing" };
  const commands: Command[] = [startedEvent(st, at)];
  const playlist = s.quote?.playlist ?? [];
  if (s.quote?.free || playlist.length === 0) return dial({ ...st, announcementEndMs: 0 }, 0, at, commands);
  commands.push({ kind: "play", id: "price", playlist: [...playlist], early: true });
  return { state: st, commands };
}

function playDone(s: CallState, ev: Extract<FlowEvent, { type: "playDone" }>): Step {
  if (ev.id === "reject" && s.phase === "rejecting") {
    return finish(s, ev.at, "system", [], { kind: "hangup", q850: s.q850, sipCode: s.sipCode, reason: s.reject?.reason ?? "" });
  }
  if (ev.id === "price" && s.phase === "announcing") {
    // A failed announcement must not lead to a charged call (DOMAIN.md §3): refuse it.
    if (!ev.ok) return endUnanswered({ ...s, announcementEndMs: ev.at }, ev.at, "system", Q850_TEMPORARY_FAILURE, [], true);
    return dial({ ...s, announcementEndMs: ev.at }, 0, ev.at, []);
  }
  return { state: s, commands: [] };
}

function dial(s: CallState, i: number, at: number, commands: Command[]): Step {
  const c = s.decision!.candidates![i]!;
  const attempt = { n: i + 1, trunkId: c.trunkId ?? "", gateway: c.gateway ?? "", startedMs: at, progressMs: 0, endedMs: 0, sipCode: 0, q850: 0, disposition: 0 };
  return { state: { ...s, phase: "dialing", candidate: i, attempts: [...s.attempts, attempt] }, commands: [...commands, { kind: "dial", n: attempt.n, candidate: c, callerId: s.info.caller }] };
}

function answered(s: CallState, at: number): Step {
  if (s.phase !== "dialing") return { state: s, commands: [] };
  const last = s.attempts[s.attempts.length - 1]!;
  const a = { ...last, endedMs: at, sipCode: 200, q850: Q850_NORMAL, disposition: pb.Disposition.ANSWERED_CALL, progressMs: last.progressMs || at };
  const delay = Math.max(s.cfg.chargeDelayMs, s.quote?.chargeDelayMs ?? 0);
  // Billable start = max(B answer, announcement end + 3 s) (DOMAIN.md §3, TKG §110).
  const billableStartMs = s.announcementEndMs > 0 ? Math.max(at, s.announcementEndMs + delay) : at;
  const st: CallState = { ...s, phase: "bridged", attempts: [...s.attempts.slice(0, -1), a], answerMs: at, billableStartMs };
  return withLimit({ ...st, limitMs: billableStartMs + (s.auth?.maxDurationS ?? 0) * 1000 }, at, [attemptEvent(st, a), answeredEvent(st), { kind: "bridge" }], true);
}

/** (Re)arms the limit and the timers that hang off it: extension, low-credit warning, price change. */
function withLimit(s: CallState, at: number, commands: Command[], first: boolean): Step {
  const out = [...commands, { kind: "scheduleHangup", atMs: s.limitMs } as Command, { kind: "setTimer", name: "limit", atMs: s.limitMs } as Command];
  const auth = s.auth!;
  if (!auth.final && auth.reservationId) out.push({ kind: "setTimer", name: "extend", atMs: Math.max(at, s.limitMs - s.cfg.extendLeadMs) });
  const warnS = auth.warnBeforeEndS ?? 0;
  if (warnS > 0 && s.limitMs - warnS * 1000 > at) out.push({ kind: "setTimer", name: "warn", atMs: s.limitMs - warnS * 1000 });
  const q = s.quote;
  if (first && q && !q.free && (q.validUntilMs ?? 0) > 0 && q.priceChangePolicy === pb.PriceChangePolicy.ANNOUNCE_NEW_PRICE && q.nextPlaylist?.length) {
    const due = Number(q.validUntilMs) - s.cfg.priceChangeLeadMs;
    if (Number(q.validUntilMs) < s.limitMs) out.push({ kind: "setTimer", name: "priceChange", atMs: Math.max(at, due) });
  }
  return { state: s, commands: out };
}

function dialFailed(s: CallState, ev: Extract<FlowEvent, { type: "dialFailed" }>): Step {
  if (s.phase !== "dialing") return { state: s, commands: [] };
  const sip = ev.sipCode ?? 0;
  const last = s.attempts[s.attempts.length - 1]!;
  const a = { ...last, endedMs: ev.at, sipCode: sip || sipForQ850(ev.q850), q850: ev.q850, disposition: dispositionOf(ev.q850) };
  const st = { ...s, attempts: [...s.attempts.slice(0, -1), a] };
  const commands: Command[] = [attemptEvent(st, a)];
  const next = s.candidate + 1;
  if (isNetworkFailure(ev.q850, sip) && next < (s.decision?.candidates?.length ?? 0)) return dial(st, next, ev.at, commands);
  return endUnanswered(st, ev.at, isNetworkFailure(ev.q850, sip) ? "system" : "callee", ev.q850, commands, true, sip);
}

function timer(s: CallState, name: string, at: number): Step {
  if (s.phase !== "bridged") return { state: s, commands: [] };
  switch (name) {
    case "limit":
      if (at < s.limitMs) return { state: s, commands: [] }; // stale timer from before an extension
      return finish({ ...s, disposition: pb.Disposition.ANSWERED_CALL, q850: Q850_NORMAL, sipCode: 200 }, s.limitMs, "limit", [], {
        kind: "hangup", q850: Q850_NORMAL, sipCode: 200, reason: "ALLOTTED_TIMEOUT",
      });
    case "extend":
      if (s.extending || !s.auth?.reservationId || s.auth.final) return { state: s, commands: [] };
      return { state: { ...s, extending: true }, commands: [{ kind: "extend", reservationId: s.auth.reservationId, usedS: Math.max(0, Math.floor((at - s.billableStartMs) / 1000)) }] };
    case "warn":
      return { state: s, commands: [{ kind: "play", id: "warn", playlist: [...s.cfg.warnPlaylist], early: false }] };
    case "priceChange":
      return { state: s, commands: [{ kind: "play", id: "priceChange", playlist: [...(s.quote?.nextPlaylist ?? [])], early: false }] };
  }
  return { state: s, commands: [] };
}

/** An extension's max_duration_s is the new total call timer from the billable start. */
function extended(s: CallState, ev: Extract<FlowEvent, { type: "extended" }>): Step {
  if (s.phase !== "bridged") return { state: { ...s, extending: false }, commands: [] };
  const a = ev.auth;
  if (!a || a.outcome !== pb.AuthOutcome.GRANT || (a.maxDurationS ?? 0) <= (s.auth?.maxDurationS ?? 0)) {
    return { state: { ...s, extending: false, auth: { ...s.auth, final: true } }, commands: [] };
  }
  const auth = { ...s.auth, ...a, reservationId: a.reservationId || s.auth?.reservationId || "" };
  return withLimit({ ...s, extending: false, auth, limitMs: s.billableStartMs + (a.maxDurationS ?? 0) * 1000 }, ev.at, [], false);
}

function hangup(s: CallState, ev: Extract<FlowEvent, { type: "hangup" }>): Step {
  const q850 = ev.q850 || Q850_NORMAL;
  if (s.phase === "bridged") {
    const st = { ...s, disposition: pb.Disposition.ANSWERED_CALL, q850, sipCode: 200 };
    const cmd: Command[] = ev.by === "caller" ? [] : [{ kind: "hangup", q850: Q850_NORMAL, sipCode: 200, reason: "NORMAL_CLEARING" }];
    return finish(st, Math.min(ev.at, s.limitMs), ev.by, [], ...cmd);
  }
  if (s.phase === "rejecting") return finish(s, ev.at, ev.by, []);
  const commands: Command[] = [];
  let st = s;
  if (s.phase === "dialing") {
    const last = s.attempts[s.attempts.length - 1]!;
    const a = { ...last, endedMs: ev.at, sipCode: 487, q850: Q850_NORMAL, disposition: pb.Disposition.CANCELLED };
    st = { ...s, attempts: [...s.attempts.slice(0, -1), a] };
    commands.push(attemptEvent(st, a));
  }
  if (ev.by === "caller") return endUnanswered({ ...st, disposition: pb.Disposition.CANCELLED }, ev.at, "caller", q850, commands, false, 487);
  return endUnanswered(st, ev.at, ev.by, q850, commands, true, ev.sipCode);
}

/** Ends a call that never reached answer: release the reservation, hang up the caller if asked. */
function endUnanswered(s: CallState, at: number, by: CallState["hangupBy"] & string, q850: number, commands: Command[], hangupCaller: boolean, sipCode?: number): Step {
  const sip = sipCode || sipForQ850(q850);
  const st: CallState = { ...s, q850, sipCode: sip, disposition: s.disposition || dispositionOf(q850) };
  const out = [...commands];
  if (["new", "routing", "quoting", "authorizing"].includes(st.phase)) out.unshift(startedEvent(st, st.startedMs));
  const hang: Command[] = hangupCaller ? [{ kind: "hangup", q850, sipCode: sip, reason: "" }] : [];
  return finish(st, at, by, out, ...hang);
}

function finish(s: CallState, at: number, by: CallState["hangupBy"] & string, commands: Command[], ...hang: Command[]): Step {
  const st: CallState = { ...s, phase: "ended", endMs: at, hangupBy: by };
  const out = [...commands, ...hang, endedEvent(st)];
  if (st.auth?.reservationId && !st.answerMs) out.push({ kind: "release", reservationId: st.auth.reservationId, reason: st.reject?.reason || "UNANSWERED" });
  return { state: st, commands: out };
}

/** After the end only one thing matters: a grant that arrives late must not leave a reservation. */
function afterEnd(s: CallState, ev: FlowEvent): Step {
  if (ev.type === "authorized" && ev.auth.reservationId && ev.auth.outcome === pb.AuthOutcome.GRANT) {
    return { state: s, commands: [{ kind: "release", reservationId: ev.auth.reservationId, reason: "CALLER_GONE" }] };
  }
  return { state: s, commands: [] };
}
