// One simulated inbound call on the FreeSWITCH side: the channel's application stack, message
// queue (nesting vs event-lock), answer/early media, caller behaviour and the hangup sequence.
import type { SimAttempt, SimCallResult, SimCallSpec } from "../types.ts";
import { parseSchedHangup, parseSet, playbackMs } from "./apps.ts";
import { runBridge } from "./bridge.ts";
import { sipFromCause } from "./causes.ts";
import { callResult, setCdrVars } from "./cdr.ts";
import { Channel, type EventOpts, type SwitchInfo } from "./channel.ts";
import { own } from "./frames.ts";
import { callState, originatedEnd } from "./originated.ts";
import { newUuid } from "./uuid.ts";

export interface CallHost {
  sw: SwitchInfo;
  scale(ms: number): number;
  trunkFor(gateway: string): import("../types.ts").TrunkBehaviour | undefined;
  emit(call: EslCall, name: string, o?: EventOpts): void;
  onHangup(call: EslCall, remote: boolean): void;
  onDestroyed(call: EslCall, r: SimCallResult): void;
  defaultPlaybackMs: number;
}

export interface AppRun {
  name: string;
  data: string;
  uuid: string;
  lock: boolean;
  nestable: boolean;
  /** Run by a sendmsg (switch_ivr_parse_event): current_loop and total_loops are set around it. */
  parsed: boolean;
  response?: string;
  /** Set by the app: called when the channel hangs up while it runs. */
  abort?: () => void;
  /** Pause/resume support for nested execution. */
  pause?: () => void;
  resume?: () => void;
}

export interface Msg {
  app: string;
  arg: string;
  uuid: string;
  lock: boolean;
  /** sendmsg `loops` as FreeSWITCH reads it (atoi): run this many times, or while the channel lives when negative. */
  loops?: number;
}

/** A looping message's run: the message, the iteration (from 1) and when it started. */
interface Loop {
  m: Msg;
  x: number;
  startedAt: number;
}

export class EslCall {
  readonly ch: Channel;
  readonly stack: AppRun[] = [];
  private readonly queue: Msg[] = [];
  readonly startedAt = Date.now();
  hungUp = false;
  destroyed = false;
  hangupBy: SimCallResult["hangupBy"] = "switch";
  readonly attempts: SimAttempt[] = [];
  readonly playbacks: string[] = [];
  earlyMedia = false;
  firstProvisionalAt?: number;
  bridgedGateway?: string;
  answeredAt?: number;
  sipCode?: number;
  bridged = false;
  /** Pending timers of `after` (made on first use: most calls only have the hold timer). */
  private timers: Set<NodeJS.Timeout> | undefined;
  /** The caller's BYE after `hangupAfterAnswerMs`. */
  private holdTimer: NodeJS.Timeout | undefined;
  private socketApp: AppRun;
  /** Runs of messages with `loops` other than 1 (rare: made on first use). */
  private loops: Map<AppRun, Loop> | undefined;
  lastResponse = "_none_";
  disposition?: string;
  /** The last application started (FreeSWITCH's app log): last_app / last_arg at hangup. */
  lastRun: AppRun | undefined;
  /** Answered, and the caller's ACK not yet in (see ack()). */
  private ackPending = false;

  constructor(
    readonly host: CallHost,
    readonly spec: SimCallSpec,
    uuid?: string,
    /** An originated leg: its gateway and the dial string's variables. */
    out?: { gateway: string; vars: Record<string, string> },
  ) {
    this.ch = new Channel(host.sw, {
      callerNumber: spec.caller,
      callerName: spec.callerName ?? spec.caller,
      destination: spec.dialed,
      uuid,
      out,
    });
    this.socketApp = { name: "socket", data: "", uuid: newUuid(), lock: false, nestable: true, parsed: false, response: undefined, abort: undefined, pause: undefined, resume: undefined };
    if (spec.hangupAfterMs !== undefined) this.after(spec.hangupAfterMs, () => this.callerHangup());
  }

  setSocketTarget(hostPort: string): void {
    this.socketApp.data = hostPort + " async full";
    this.lastRun = this.socketApp;
    this.ch.setVar("current_application_data", this.socketApp.data);
    this.ch.setVar("current_application", "socket");
    this.ch.setVar("socket_host", hostPort.split(":")[0]);
  }

  get uuid(): string {
    return this.ch.uuid;
  }

  emit(name: string, o?: EventOpts): void {
    this.host.emit(this, name, o);
  }

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const timers = (this.timers ??= new Set());
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, this.host.scale(ms));
    timers.add(t);
    return t;
  }

  clear(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers?.delete(t);
  }

  private provisional(): void {
    if (this.firstProvisionalAt === undefined) this.firstProvisionalAt = Date.now();
  }

  /** 183 to the caller (pre_answer, playback before answer). */
  preAnswer(): void {
    if (this.ch.answerState !== "ringing") return;
    this.ch.answerState = "early";
    this.ch.profile.progressMediaUs = Date.now() * 1000;
    this.provisional();
    // Recorded: the PROGRESS_MEDIA event already carries it; ANSWER only from the event after CHANNEL_ANSWER.
    this.ch.setVar("endpoint_disposition", "EARLY MEDIA");
    this.emit("CHANNEL_PROGRESS_MEDIA");
    this.ch.callState = "EARLY";
  }

  /**
   * A 180 (our own, or a ringing B leg's relayed: `atUs` is then the B leg's creation, as recorded).
   * A caller with early media already gets only the progress time (recorded in bridged-call: set
   * by the B leg's ringing, no CHANNEL_PROGRESS); an answered one nothing.
   */
  ringReady(atUs = Date.now() * 1000): void {
    const p = this.ch.profile;
    if (p.progressUs || this.ch.answerState === "answered" || this.ch.answerState === "hangup") return;
    p.progressUs = atUs;
    if (this.ch.answerState !== "ringing") return;
    this.provisional();
    this.emit("CHANNEL_PROGRESS");
  }

  markAnswered(): void {
    if (this.answeredAt !== undefined || this.hungUp) return;
    this.answeredAt = Date.now();
    this.provisional();
    this.ch.answerState = "answered";
    this.ch.profile.answeredUs = this.answeredAt * 1000;
    this.emit("CHANNEL_ANSWER");
    this.ch.setVar("endpoint_disposition", "ANSWER");
    // An originated leg sent the 200's ACK itself: nothing comes back.
    if (!this.ch.out) {
      this.ackPending = true;
      queueMicrotask(() => this.ack());
    }
    const eoa = this.ch.getVar("execute_on_answer");
    if (eoa) {
      const sp = eoa.indexOf(" ");
      const app = sp < 0 ? eoa : eoa.slice(0, sp);
      this.runApp({ app, arg: sp < 0 ? "" : eoa.slice(sp + 1), uuid: newUuid(), lock: false });
    }
    this.ch.callState = "ACTIVE";
    const hold = this.spec.hangupAfterAnswerMs;
    if (hold !== undefined) this.holdTimer = setTimeout(holdOver, this.host.scale(hold), this);
  }

  /**
   * The caller's ACK to the 200 OK reached sofia (after the answer's callback): it sets sip_call_id and
   * sip_from_display again, so they move to the end. Recorded 0.5-1 ms after CHANNEL_ANSWER: the
   * answer's own events still have them in place; after a bridge's answer, three of five
   * recordings have the ACK after CHANNEL_BRIDGE and bridge_uuid, two before CHANNEL_BRIDGE (a race;
   * the simulator takes the majority).
   */
  ack(): void {
    if (!this.ackPending || this.hungUp) return;
    this.ackPending = false;
    this.ch.renewVar("sip_call_id");
    this.ch.renewVar("sip_from_display");
  }

  callerHangup(): void {
    if (this.hungUp) return;
    this.hangupBy = "caller";
    if (this.answeredAt !== undefined) {
      this.ch.setVar("sip_term_status", "200");
      this.disposition = "recv_bye";
      this.hangup("NORMAL_CLEARING", true);
    } else {
      // Recorded order: disposition, the ringing leg's failure, then the caller's own status.
      this.disposition = "recv_cancel";
      this.ch.setVar("sip_hangup_disposition", "recv_cancel");
      if (this.stack.some((a) => a.name === "bridge")) {
        this.ch.setVar("sip_invite_failure_status", "487");
        this.ch.setVar("sip_invite_failure_phrase", "CANCEL");
      }
      this.ch.setVar("sip_term_status", "487");
      this.sipCode = 487;
      this.hangup("ORIGINATOR_CANCEL", true);
    }
  }

  /** A sendmsg execute reached the channel (after FreeSWITCH's ~20 ms). */
  deliver(m: Msg): void {
    if (this.hungUp) return; // a message to a dead channel: +OK was sent, nothing follows
    const top = this.stack[this.stack.length - 1];
    const locked = this.stack.some((a) => a.lock);
    if (locked || (top && !top.nestable)) {
      this.queue.push(m);
      return;
    }
    if (top?.pause) top.pause();
    this.runApp(m);
  }

  private drain(): void {
    while (!this.hungUp && this.queue.length) {
      const top = this.stack[this.stack.length - 1];
      if (this.stack.some((a) => a.lock) || (top && !top.nestable)) return;
      const m = this.queue.shift()!;
      if (top?.pause) top.pause();
      this.runApp(m);
    }
  }

  /** Runs one message's application; `x`: the iteration of a looping message. */
  runApp(m: Msg, x = 1): void {
    // Every field up front: apps set response, abort, pause and resume later, and a property added
    // to a literal afterwards costs an out-of-object property store and a shape change per call.
    // Kept while the app runs (a bridge: the whole call) and as variables: copies, not slices of
    // the command's read (a slice keeps the whole read alive).
    const app = own(m.app);
    const data = own(m.arg);
    const parsed = m.loops !== undefined;
    const run: AppRun = { name: app, data, uuid: own(m.uuid), lock: m.lock, nestable: false, parsed, response: undefined, abort: undefined, pause: undefined, resume: undefined };
    this.stack.push(run);
    if (parsed) {
      // Recorded in every event of a sendmsg's run, before current_application; gone after the loop.
      this.ch.setVar("current_loop", String(x));
      this.ch.setVar("total_loops", String(m.loops));
      if (m.loops !== 1) (this.loops ??= new Map()).set(run, { m, x, startedAt: Date.now() });
    }
    this.lastRun = run;
    // switch_core_session_exec: the application, its data, CHANNEL_EXECUTE, then the application
    // again just before it runs (so every later event has it after its data, as recorded).
    this.ch.setVar("current_application", app);
    this.ch.setVar("current_application_data", data || undefined);
    this.emit("CHANNEL_EXECUTE", { app: { name: m.app, data: m.arg, uuid: m.uuid } });
    this.ch.setVar("current_application", app);
    switch (m.app) {
      case "answer":
        this.markAnswered();
        this.complete(run, "_none_");
        return;
      case "pre_answer":
        this.preAnswer();
        this.complete(run, "_none_");
        return;
      case "ring_ready":
        this.ringReady();
        this.complete(run, "_none_");
        return;
      case "set":
      case "export": {
        const kv = parseSet(m.arg);
        if (kv) this.ch.setVar(kv[0], kv[1] === "" ? undefined : own(kv[1]));
        this.complete(run, "_none_");
        return;
      }
      case "unset":
        this.ch.setVar(m.arg, undefined);
        this.complete(run, "_none_");
        return;
      case "playback":
      case "play_file":
      case "speak":
      case "sleep":
        this.playback(run, m, (response = "_none_") => this.complete(run, response));
        return;
      case "park":
        run.nestable = true;
        // switch_ivr_park (recorded with `event plain ALL`): CHANNEL_PARK as it starts, CHANNEL_UNPARK
        // before its CHANNEL_EXECUTE_COMPLETE.
        this.emit("CHANNEL_PARK");
        // Recorded: park reports the last application's response when the channel hangs up.
        run.abort = () => {
          run.response = this.lastResponse;
        };
        return;
      case "bridge":
        runBridge(this, run);
        return;
      case "hangup":
        this.hangupBy = "agent";
        run.response = "_none_";
        this.hangup(m.arg || "NORMAL_CLEARING", false);
        return;
      case "respond": {
        const code = Number.parseInt(m.arg, 10);
        if (code >= 200 && code < 300) this.markAnswered();
        else if (code === 180) this.ringReady();
        else if (code === 183) this.preAnswer();
        else if (code >= 300) {
          this.hangupBy = "agent";
          this.sipCode = code;
          this.hangup(code === 486 ? "USER_BUSY" : code === 404 ? "UNALLOCATED_NUMBER" : "CALL_REJECTED", false);
          return;
        }
        this.complete(run, "_none_");
        return;
      }
      case "sched_hangup": {
        const { secs, cause } = parseSchedHangup(m.arg);
        this.schedHangup(secs, cause);
        this.complete(run, "_none_");
        return;
      }
      default:
        this.complete(run, "_none_");
        return;
    }
  }

  private playback(run: AppRun, m: Msg, done: (r?: string) => void): void {
    if (m.app !== "sleep") {
      this.playbacks.push(m.arg);
      if (this.answeredAt === undefined) {
        this.earlyMedia = true;
        this.preAnswer();
      }
      const hd = this.spec.hangupDuringAnnouncementMs;
      if (hd !== undefined && this.playbacks.length === 1) this.after(hd, () => this.callerHangup());
    }
    run.nestable = true;
    let remaining = this.host.scale(playbackMs(m.arg, this.host.defaultPlaybackMs));
    let started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      started = Date.now();
      timer = setTimeout(() => {
        this.timers?.delete(timer!);
        done("FILE PLAYED");
      }, remaining);
      (this.timers ??= new Set()).add(timer);
    };
    run.pause = () => {
      this.clear(timer);
      remaining = Math.max(0, remaining - (Date.now() - started));
    };
    run.resume = arm;
    run.abort = () => {
      this.clear(timer);
      run.response = this.hangupBy === "switch" ? "FILE PLAYED" : "PLAYBACK ERROR";
    };
    arm();
  }

  schedHangup(secs: number, cause: string): void {
    // The scheduler ticks once a second: +3 fired between 2.5 and 3 s later in the recordings.
    const ms = Math.max(0, secs * 1000 - (Date.now() % 1000));
    this.after(ms, () => {
      if (this.hungUp) return;
      this.hangupBy = "switch";
      this.hangup(cause, true);
    });
  }

  complete(run: AppRun, response: string): void {
    const i = this.stack.indexOf(run);
    if (i < 0 || this.hungUp) return;
    this.stack.splice(i, 1);
    this.lastResponse = response;
    this.emit("CHANNEL_EXECUTE_COMPLETE", { app: { name: run.name, data: run.data, response, uuid: run.uuid } });
    const loop = this.loops?.get(run);
    if (loop) {
      this.loops!.delete(run);
      // FreeSWITCH's loop (switch_ivr_parse_event): the next run at once, before anything queued,
      // unless the count is reached or this run took under half a second.
      const n = loop.m.loops!;
      if ((n < 0 || loop.x < n) && Date.now() - loop.startedAt >= this.host.scale(500)) {
        this.runApp(loop.m, loop.x + 1);
        return;
      }
    }
    if (run.parsed) this.loopDone();
    const top = this.stack[this.stack.length - 1];
    if (top?.resume && i === this.stack.length) top.resume();
    this.drain();
  }

  /** The hangup sequence as FreeSWITCH reports it on the caller leg. */
  /**
   * `hungUp`: called right after CHANNEL_HANGUP (uuid_kill: the API thread hangs the channel up and
   * fires its API event; the channel's thread does the rest, as recorded).
   */
  hangup(cause: string, remote: boolean, hungUp?: () => void): void {
    if (this.hungUp) return;
    this.hungUp = true;
    clearTimeout(this.holdTimer);
    if (this.timers) for (const t of this.timers) clearTimeout(t);
    this.timers = undefined;
    const now = Date.now();
    this.ch.hangupCause = cause;
    this.ch.answerState = "hangup";
    this.disposition ??= this.answeredAt !== undefined ? "send_bye" : "send_refuse";
    if (this.answeredAt === undefined && this.sipCode === undefined) this.sipCode = sipFromCause(cause);
    this.emit("CHANNEL_HANGUP");
    hungUp?.();
    if (this.disposition === "recv_bye") this.ch.setVar("sip_hangup_disposition", "recv_bye");
    this.host.onHangup(this, remote);
    for (let i = this.stack.length - 1; i >= 0; i--) this.stack[i]!.abort?.();
    // Apps unwind innermost first; the bridge app reports UNBRIDGE itself through abort().
    while (this.stack.length) {
      const run = this.stack.pop()!;
      const response = run.response ?? "_none_";
      this.lastResponse = response;
      if (run.name === "park") this.emit("CHANNEL_UNPARK");
      this.emit("CHANNEL_EXECUTE_COMPLETE", { app: { name: run.name, data: run.data, response, uuid: run.uuid } });
      if (run.parsed) this.loopDone();
    }
    // The socket application's own park ends; an originated channel (inbound `originate … &park()`)
    // runs no socket application.
    if (this.socketApp.data) {
      this.emit("CHANNEL_UNPARK");
      this.emit("CHANNEL_EXECUTE_COMPLETE", {
        app: { name: "socket", data: this.socketApp.data, response: this.lastResponse, uuid: this.socketApp.uuid },
      });
    }
    this.ch.state = "CS_HANGUP";
    this.emit("CHANNEL_STATE", { noVars: true });
    // The hangup state's handler stamps the hangup time (recorded: 0 until CS_REPORTING).
    this.ch.profile.hangupUs = now * 1000;
    if (this.ch.out) callState(this, "HANGUP");
    this.ch.state = "CS_REPORTING";
    this.ch.callState = "HANGUP";
    this.emit("CHANNEL_STATE", { noVars: true });
    this.setCdrVars(cause, now);
    this.emit("CHANNEL_HANGUP_COMPLETE");
    if (this.ch.out) originatedEnd(this);
    this.destroyed = true;
    this.host.onDestroyed(this, this.result(cause, now));
  }

  /** A sendmsg's loop is over: FreeSWITCH unsets its loop variables. */
  private loopDone(): void {
    this.ch.setVar("current_loop", undefined);
    this.ch.setVar("total_loops", undefined);
  }

  private setCdrVars(cause: string, now: number): void {
    setCdrVars(this, this.disposition, cause, now);
  }

  result(cause: string, now: number): SimCallResult {
    return callResult(this, cause, now);
  }
}

function holdOver(call: EslCall): void {
  call.callerHangup();
}
