// The `bridge` application against simulated gateways: ringing, answer + CHANNEL_BRIDGE, far-end
// BYE, failures with the variables FreeSWITCH sets, timeouts, continue_on_fail and failover.
import { randomUUID } from "node:crypto";
import { resolveBehaviour, type SimAttempt } from "../types.ts";
import { continuesOnFail, parseDialString } from "./apps.ts";
import type { AppRun, EslCall } from "./call.ts";
import { causeFromSip, DIALSTATUS, q850Of } from "./causes.ts";

const PHRASE: Record<number, string> = {
  404: "Not Found",
  408: "Request Timeout",
  480: "Temporarily Unavailable",
  486: "Busy Here",
  487: "Request Terminated",
  503: "Service Unavailable",
};

export function runBridge(call: EslCall, run: AppRun, done: (r?: string) => void): void {
  const ch = call.ch;
  const ds = parseDialString(run.data);
  ch.setVar("originate_disposition", "failure");
  ch.setVar("DIALSTATUS", "INVALIDARGS");
  let legIdx = 0;
  let timers: NodeJS.Timeout[] = [];
  let attempt: SimAttempt | undefined;
  let bUuid = "";
  let bridged = false;

  const clearAll = () => {
    for (const t of timers) call.clear(t);
    timers = [];
    };
  const at = (ms: number, fn: () => void): void => {
    timers.push(call.after(ms, fn));
    };

  const fail = (cause: string, sip: number): void => {
    clearAll();
    if (attempt) Object.assign(attempt, { cause, sipCode: sip, endedAt: Date.now() });
    if (sip && sip !== 487) {
      ch.setVar("sip_invite_failure_status", String(sip));
      ch.setVar("sip_invite_failure_phrase", PHRASE[sip] ?? "Failure");
    }
    ch.setVar("last_bridge_hangup_cause", cause);
    if (sip && sip !== 487) ch.setVar("last_bridge_proto_specific_hangup_cause", "sip:" + sip);
    ch.setVar("originate_disposition", cause);
    ch.setVar("DIALSTATUS", DIALSTATUS[cause] ?? cause);
    ch.setVar("originate_causes", bUuid + ";" + cause);
    ch.setVar("originate_failed_cause", cause);
    legIdx++;
    if (legIdx < ds.legs.length) {
      tryLeg();
      return;
    }
    if (continuesOnFail(ch.getVar("continue_on_fail"), cause, q850Of(cause))) {
      done("_none_");
      return;
    }
    // Without continue_on_fail the bridge app hangs up the caller itself.
    call.hangupBy = "switch";
    call.hangup(cause, false);
    };

  const answered = () => {
    clearAll();
    if (!attempt) return;
    attempt.sipCode = 200;
    attempt.cause = "NORMAL_CLEARING";
    const leg = ds.legs[legIdx]!;
    ch.profile.callee = { name: "Outbound Call", number: leg.number };
    ch.setVar("sip_invite_failure_status", undefined);
    ch.setVar("sip_invite_failure_phrase", undefined);
    const other = {
      ...ch.profile,
      uuid: bUuid,
      callerName: ds.globals.origination_caller_id_name ?? ch.profile.callerName,
      callerNumber: ds.globals.origination_caller_id_number ?? ch.profile.callerNumber,
      destination: leg.number,
      channelName: `sofia/gateway/${leg.gateway}/${leg.number}`,
      context: "default",
      createdUs: attempt.startedAt * 1000,
      answeredUs: Date.now() * 1000,
    };
    call.markAnswered();
    if (call.hungUp) return;
    ch.other = other;
    bridged = true;
    call.bridged = true;
    call.bridgedGateway = leg.gateway;
    ch.profile.bridgedUs = Date.now() * 1000;
    ch.setVar("originate_disposition", "SUCCESS");
    ch.setVar("DIALSTATUS", "SUCCESS");
    ch.setVar("originate_causes", bUuid + ";NONE");
    ch.setVar("bridge_uuid", bUuid);
    ch.setVar("signal_bond", bUuid);
    ch.callState = "ACTIVE";
    call.emit("CHANNEL_BRIDGE", { bridge: true });
    const b = behaviour;
    if (b?.kind === "answer" && b.hangupAfterMs !== undefined) at(b.hangupAfterMs, farEndBye);
    };

  const unbridge = (farEnd: boolean) => {
    bridged = false;
    call.bridged = false;
    ch.setVar("bridge_hangup_cause", "NORMAL_CLEARING");
    if (farEnd) ch.setVar("last_bridge_hangup_cause", "NORMAL_CLEARING");
    if (attempt) attempt.endedAt = Date.now();
    call.emit("CHANNEL_UNBRIDGE", { bridge: true });
    };

  const farEndBye = () => {
    if (call.hungUp || !bridged) return;
    unbridge(true);
    done("_none_");
    if (!call.hungUp && ch.getVar("hangup_after_bridge") === "true") {
      call.hangupBy = "callee";
      call.hangup("NORMAL_CLEARING", true);
    }
    };

  run.abort = () => {
    clearAll();
    run.response = "_none_";
    if (bridged) {
      unbridge(false);
      return;
    }
    if (!attempt || attempt.endedAt) return;
    const cause = ch.hangupCause ?? "ORIGINATOR_CANCEL";
    const c = cause === "NORMAL_CLEARING" ? "ORIGINATOR_CANCEL" : cause;
    Object.assign(attempt, { cause: c, sipCode: 487, endedAt: Date.now() });
    ch.setVar("originate_disposition", c);
    ch.setVar("DIALSTATUS", c === "ORIGINATOR_CANCEL" ? "CANCEL" : (DIALSTATUS[c] ?? c));
    ch.setVar("originate_failed_cause", c);
    ch.setVar("originate_causes", bUuid + ";" + c);
    if (c === "ORIGINATOR_CANCEL") ch.setVar("sip_invite_failure_status", "487");
    };

  let behaviour: ReturnType<typeof resolveBehaviour> | undefined;

  const tryLeg = (): void => {
    const leg = ds.legs[legIdx];
    bUuid = randomUUID();
    if (!leg) {
      fail("INVALID_GATEWAY", 0);
      return;
    }
    attempt = { gateway: leg.gateway, number: leg.number, sipCode: 0, cause: "", startedAt: Date.now(), endedAt: 0 };
    call.attempts.push(attempt);
    if (leg.gateway === "error") {
      at(0, () => fail(leg.number, 0));
      return;
    }
    const def = call.host.trunkFor(leg.gateway);
    if (!def) {
      at(0, () => fail("INVALID_GATEWAY", 0));
      return;
    }
    const b = resolveBehaviour(def);
    behaviour = b;
    const vars = { ...ds.globals, ...leg.vars };
    const legTimeout = Number(vars.leg_timeout);
    const callTimeout = Number(vars.call_timeout ?? ch.getVar("call_timeout") ?? vars.originate_timeout ?? 60);
    const useLeg = Number.isFinite(legTimeout) && legTimeout > 0;
    const timeoutMs = (useLeg ? legTimeout : callTimeout > 0 ? callTimeout : 60) * 1000;
    const progress = () => {
      if (attempt) attempt.progressAt = Date.now();
      ch.profile.callee = { name: "Outbound Call", number: leg.number };
      call.ringReady();
    };
    switch (b.kind) {
      case "answer":
        if (b.ringMs !== undefined && b.ringMs < b.afterMs) at(b.ringMs, progress);
        at(b.afterMs, answered);
        break;
      case "busy":
        at(b.afterMs, () => fail("USER_BUSY", 486));
        break;
      case "noanswer":
        at(20, progress);
        break;
      case "fail":
        at(b.afterMs, () => fail(causeFromSip(b.sipCode), b.sipCode));
        break;
      case "timeout":
        // No provisional at all: SIP timer B (32 s) ends the INVITE transaction with a local 408.
        at(32000, () => fail("RECOVERY_ON_TIMER_EXPIRE", 408));
        break;
    }
    at(timeoutMs, () => fail(useLeg ? "ALLOTTED_TIMEOUT" : "NO_ANSWER", 487));
    };
    tryLeg();
}
