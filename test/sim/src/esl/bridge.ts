// The `bridge` application against simulated gateways: ringing, answer + CHANNEL_BRIDGE, far-end
// BYE, failures with the variables FreeSWITCH sets, timeouts, continue_on_fail and failover.
import { resolveBehaviour, type SimAttempt } from "../types.ts";
import { continuesOnFail, parseDialString } from "./apps.ts";
import type { AppRun, EslCall } from "./call.ts";
import { causeFromSip, DIALSTATUS, q850Of } from "./causes.ts";
import { newUuid } from "./uuid.ts";

const PHRASE: Record<number, string> = {
  404: "Not Found",
  408: "Request Timeout",
  480: "Temporarily Unavailable",
  486: "Busy Here",
  487: "Request Terminated",
  503: "Service Unavailable",
};

type Leaf = ReturnType<typeof resolveBehaviour>;

// What a bridge timer does when it fires (one Timeout argument instead of a closure per timer).
const RING = 0;
const ANSWER = 1;
const FAIL = 2;
const TIMEOUT = 3;
const FAR_END_BYE = 4;
type TimerKind = typeof RING | typeof ANSWER | typeof FAIL | typeof TIMEOUT | typeof FAR_END_BYE;

function onTimer(b: Bridge, kind: TimerKind): void {
  b.fired(kind);
}

/**
 * One run of the bridge application: a single object per call (its state and timers) instead of a
 * closure per step; each timer carries its kind.
 */
class Bridge {
  private readonly ds: ReturnType<typeof parseDialString>;
  private legIdx = 0;
  /** The pending timer of each kind (a bridge never has two of one kind). */
  private readonly timers: Array<NodeJS.Timeout | undefined> = [undefined, undefined, undefined, undefined, undefined];
  private attempt: SimAttempt | undefined;
  private bUuid = "";
  private bridged = false;
  private behaviour: Leaf | undefined;
  /** What the pending FAIL timer reports, and whether the dial timeout is leg_timeout. */
  private failCause = "";
  private failSip = 0;
  private useLeg = false;

  constructor(
    private readonly call: EslCall,
    private readonly run: AppRun,
  ) {
    this.ds = parseDialString(run.data);
  }

  start(): void {
    const ch = this.call.ch;
    ch.setVar("originate_disposition", "failure");
    ch.setVar("DIALSTATUS", "INVALIDARGS");
    this.run.abort = () => this.abort();
    this.tryLeg();
  }

  private at(ms: number, kind: TimerKind): void {
    clearTimeout(this.timers[kind]);
    this.timers[kind] = setTimeout(onTimer, this.call.host.scale(ms), this, kind);
  }

  private clearAll(): void {
    const t = this.timers;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === undefined) continue;
      clearTimeout(t[i]);
      t[i] = undefined;
    }
  }

  fired(kind: TimerKind): void {
    this.timers[kind] = undefined;
    switch (kind) {
      case RING:
        this.progress();
        return;
      case ANSWER:
        this.answered();
        return;
      case FAIL:
        this.fail(this.failCause, this.failSip);
        return;
      case TIMEOUT:
        this.fail(this.useLeg ? "ALLOTTED_TIMEOUT" : "NO_ANSWER", 487);
        return;
      case FAR_END_BYE:
        this.farEndBye();
        return;
    }
  }

  private fail(cause: string, sip: number): void {
    const { call, ds } = this;
    const ch = call.ch;
    this.clearAll();
    const attempt = this.attempt;
    if (attempt) {
      attempt.cause = cause;
      attempt.sipCode = sip;
      attempt.endedAt = Date.now();
    }
    if (sip && sip !== 487) {
      ch.setVar("sip_invite_failure_status", String(sip));
      ch.setVar("sip_invite_failure_phrase", PHRASE[sip] ?? "Failure");
    }
    ch.setVar("last_bridge_hangup_cause", cause);
    if (sip && sip !== 487) ch.setVar("last_bridge_proto_specific_hangup_cause", "sip:" + sip);
    ch.setVar("originate_disposition", cause);
    ch.setVar("DIALSTATUS", DIALSTATUS[cause] ?? cause);
    ch.pushVar("originate_causes", this.bUuid + ";" + cause);
    ch.setVar("originate_failed_cause", cause);
    this.legIdx++;
    if (this.legIdx < ds.legs.length) {
      this.tryLeg();
      return;
    }
    if (continuesOnFail(ch.getVar("continue_on_fail"), cause, q850Of(cause))) {
      this.call.complete(this.run, "_none_");
      return;
    }
    // Without continue_on_fail the bridge app hangs up the caller itself.
    call.hangupBy = "switch";
    call.hangup(cause, false);
  }

  private progress(): void {
    const leg = this.ds.legs[this.legIdx]!;
    if (this.attempt) this.attempt.progressAt = Date.now();
    this.call.ch.profile.callee = { name: "Outbound Call", number: leg.number };
    this.call.ringReady((this.attempt?.startedAt ?? Date.now()) * 1000);
  }

  private answered(): void {
    const { call, ds } = this;
    const ch = call.ch;
    this.clearAll();
    const attempt = this.attempt;
    if (!attempt) return;
    attempt.sipCode = 200;
    attempt.cause = "NORMAL_CLEARING";
    const leg = ds.legs[this.legIdx]!;
    const bUuid = this.bUuid;
    ch.profile.callee = { name: "Outbound Call", number: leg.number };
    ch.setVar("sip_invite_failure_status", undefined);
    ch.setVar("sip_invite_failure_phrase", undefined);
    const other = {
      ...ch.profile,
      uuid: bUuid,
      callerName: ds.globals.origination_caller_id_name ?? ch.profile.callerName,
      callerNumber: ds.globals.origination_caller_id_number ?? ch.profile.callerNumber,
      destination: leg.number,
      // Joined: one flat string for the call's life (a template literal makes a cons tree).
      channelName: ["sofia/gateway/", leg.gateway, "/", leg.number].join(""),
      // The B leg's own times (recorded): progress stamped with its creation if it rang, no early
      // media, not yet bridged or hung up; its context is the caller's.
      createdUs: attempt.startedAt * 1000,
      answeredUs: Date.now() * 1000,
      progressUs: attempt.progressAt !== undefined ? attempt.startedAt * 1000 : 0,
      progressMediaUs: 0,
      hangupUs: 0,
      bridgedUs: 0,
    };
    call.markAnswered();
    if (call.hungUp) return;
    ch.other = other;
    this.bridged = true;
    call.bridged = true;
    call.bridgedGateway = leg.gateway;
    ch.profile.bridgedUs = Date.now() * 1000;
    ch.setVar("originate_disposition", "SUCCESS");
    ch.setVar("DIALSTATUS", "SUCCESS");
    // A stacked variable: a failover's answer makes it ARRAY::<failed leg>|:<this leg> (recorded).
    ch.pushVar("originate_causes", bUuid + ";NONE");
    ch.setVar("signal_bond", bUuid);
    ch.callState = "ACTIVE";
    call.emit("CHANNEL_BRIDGE", { bridge: true });
    // Recorded: bridge_uuid only after CHANNEL_BRIDGE, and signal_bond set again after it.
    ch.setVar("bridge_uuid", bUuid);
    ch.setVar("signal_bond", bUuid);
    const b = this.behaviour;
    if (b?.kind === "answer" && b.hangupAfterMs !== undefined) this.at(b.hangupAfterMs, FAR_END_BYE);
  }

  private unbridge(farEnd: boolean): void {
    const { call } = this;
    const ch = call.ch;
    this.bridged = false;
    call.bridged = false;
    if (farEnd) {
      // The B leg's BYE: its cause and SIP status first (recorded), then the bridge's.
      ch.setVar("last_bridge_hangup_cause", "NORMAL_CLEARING");
      ch.setVar("last_bridge_proto_specific_hangup_cause", "sip:200");
    }
    ch.setVar("bridge_hangup_cause", "NORMAL_CLEARING");
    if (this.attempt) this.attempt.endedAt = Date.now();
    call.emit("CHANNEL_UNBRIDGE", { bridge: true });
  }

  private farEndBye(): void {
    const { call } = this;
    if (call.hungUp || !this.bridged) return;
    this.unbridge(true);
    this.call.complete(this.run, "_none_");
    if (!call.hungUp && call.ch.getVar("hangup_after_bridge") === "true") {
      call.hangupBy = "callee";
      call.hangup("NORMAL_CLEARING", true);
    }
  }

  private abort(): void {
    const { run } = this;
    const ch = this.call.ch;
    this.clearAll();
    run.response = "_none_";
    if (this.bridged) {
      this.unbridge(false);
      return;
    }
    const attempt = this.attempt;
    if (!attempt || attempt.endedAt) return;
    const cause = ch.hangupCause ?? "ORIGINATOR_CANCEL";
    const c = cause === "NORMAL_CLEARING" ? "ORIGINATOR_CANCEL" : cause;
    attempt.cause = c;
    attempt.sipCode = 487;
    attempt.endedAt = Date.now();
    ch.setVar("originate_disposition", c);
    ch.setVar("DIALSTATUS", c === "ORIGINATOR_CANCEL" ? "CANCEL" : (DIALSTATUS[c] ?? c));
    ch.pushVar("originate_causes", this.bUuid + ";" + c);
    ch.setVar("originate_failed_cause", c);
    // A caller's CANCEL set it already (callerHangup); setting it again would move it.
    if (c === "ORIGINATOR_CANCEL" && this.call.disposition !== "recv_cancel") ch.setVar("sip_invite_failure_status", "487");
  }

  /** A FAIL timer reporting `cause` / `sip` after `ms`. */
  private failAfter(ms: number, cause: string, sip: number): void {
    this.failCause = cause;
    this.failSip = sip;
    this.at(ms, FAIL);
  }

  private tryLeg(): void {
    const { call, ds } = this;
    const ch = call.ch;
    const leg = ds.legs[this.legIdx];
    this.bUuid = newUuid();
    if (!leg) {
      this.fail("INVALID_GATEWAY", 0);
      return;
    }
    // Every field up front (progressAt too): one shape for all attempts, no property added later.
    const attempt: SimAttempt = { gateway: leg.gateway, number: leg.number, sipCode: 0, cause: "", startedAt: Date.now(), progressAt: undefined, endedAt: 0 };
    this.attempt = attempt;
    call.attempts.push(attempt);
    if (leg.gateway === "error") {
      this.failAfter(0, leg.number, 0);
      return;
    }
    const def = call.host.trunkFor(leg.gateway);
    if (!def) {
      this.failAfter(0, "INVALID_GATEWAY", 0);
      return;
    }
    const b = resolveBehaviour(def);
    this.behaviour = b;
    const g = ds.globals;
    const lv = leg.vars;
    const legTimeout = Number(lv.leg_timeout ?? g.leg_timeout);
    const callTimeout = Number(lv.call_timeout ?? g.call_timeout ?? ch.getVar("call_timeout") ?? lv.originate_timeout ?? g.originate_timeout ?? 60);
    const useLeg = Number.isFinite(legTimeout) && legTimeout > 0;
    this.useLeg = useLeg;
    const timeoutMs = (useLeg ? legTimeout : callTimeout > 0 ? callTimeout : 60) * 1000;
    switch (b.kind) {
      case "answer":
        if (b.ringMs !== undefined && b.ringMs < b.afterMs) this.at(b.ringMs, RING);
        this.at(b.afterMs, ANSWER);
        break;
      case "busy":
        this.failAfter(b.afterMs, "USER_BUSY", 486);
        break;
      case "noanswer":
        this.at(20, RING);
        break;
      case "fail":
        this.failAfter(b.afterMs, causeFromSip(b.sipCode), b.sipCode);
        break;
      case "timeout":
        // No provisional at all: SIP timer B (32 s) ends the INVITE transaction with a local 408.
        this.failAfter(32000, "RECOVERY_ON_TIMER_EXPIRE", 408);
        break;
    }
    this.at(timeoutMs, TIMEOUT);
  }
}

export function runBridge(call: EslCall, run: AppRun): void {
  new Bridge(call, run).start();
}
