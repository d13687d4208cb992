// One FreeSWITCH call on its outbound ESL socket (`socket host:port async full`). Translates the
// channel's events into FlowEvents and runs switch commands as `sendmsg` executes, each matched to
// its CHANNEL_EXECUTE_COMPLETE by Application-UUID (ESL.md "Executing applications").
import { randomUUID } from "node:crypto";
import type { Logger } from "@callctl/core";
import { EventPort, type EventSink, type IncomingCall, type SwitchCommand } from "../driver.ts";
import type { FlowEvent, PlayId } from "../flow/types.ts";
import { cleanCaller, cleanDialed, safeName, safeNumber, safePrompt } from "../validate.ts";
import { type CallLink, modeslLink } from "./link.ts";
import { bridgeOutcome, causeOfQ850, hangupOf, playbackArg } from "./translate.ts";
import type { EslConnection, EslEvent } from "./wire.ts";

export interface EslCallOptions {
  promptDir: string;
  log: Logger;
  now?: () => number;
}

type Pending = { app: string; done: (ev: EslEvent | null) => void };

export class EslCall implements IncomingCall {
  readonly channelId: string;
  readonly caller: string;
  readonly dialed: string;
  readonly invalid?: string;
  #conn: CallLink;
  #opts: EslCallOptions;
  readonly #events = new EventPort();
  #pending = new Map<string, Pending>();
  #preAnswered = false;
  #continueOnFail = false;
  #dialing = false;
  #answered = false;
  #hungUp = false;
  #closed = false;
  #weHungUp = false;
  #prevSip = "";
  #scheduled = false;
  cdr?: EslEvent;

  /** `conn`: the lean outbound link (link.ts takeOverOutbound), or a modesl Connection. */
  constructor(conn: CallLink | EslConnection, info: EslEvent, opts: EslCallOptions) {
    const link = "onEvent" in conn ? conn : modeslLink(conn);
    this.#conn = link;
    this.#opts = opts;
    this.channelId = info.getHeader("Unique-ID") ?? "";
    this.caller = cleanCaller(info.getHeader("Caller-Caller-ID-Number") ?? undefined);
    const d = cleanDialed(info.getHeader("Caller-Destination-Number") ?? undefined);
    this.dialed = d.dialed;
    if (d.invalid) this.invalid = d.invalid;
    link.onEvent((ev) => this.#onEvent(ev));
    link.onEnd(() => this.#onClose());
  }

  #now(): number {
    return this.#opts.now ? this.#opts.now() : Date.now();
  }

  bind(sink: EventSink): void {
    this.#events.bind(sink);
  }

  #emit(ev: FlowEvent): void {
    this.#events.emit(ev);
  }

  /** Queues an application; returns the Event-UUID its completion will carry. */
  #execute(app: string, arg: string, lock: boolean, done?: (ev: EslEvent | null) => void): string {
    const id = randomUUID();
    const h: Record<string, string> = { "call-command": "execute", "execute-app-name": app, "execute-app-arg": arg, "Event-UUID": id };
    if (lock) h["event-lock"] = "true";
    if (done) this.#pending.set(id, { app, done });
    this.#conn.send(`sendmsg ${this.channelId}`, h);
    return id;
  }

  run(cmd: SwitchCommand): void {
    if (this.#closed) return;
    try {
      this.#run(cmd);
    } catch (err) {
      this.#opts.log.error({ err, cmd: cmd.kind }, "esl command refused");
      if (cmd.kind === "play") this.#emit({ type: "playDone", at: this.#now(), id: cmd.id, ok: false });
      if (cmd.kind === "dial") this.#emit({ type: "dialFailed", at: this.#now(), q850: 41 });
    }
  }

  #run(cmd: SwitchCommand): void {
    switch (cmd.kind) {
      case "play":
        this.#play(cmd.id, cmd.playlist, cmd.early);
        return;
      case "dial": {
        const c = cmd.candidate;
        const gw = safeName("gateway", c.gateway ?? "");
        const num = safeNumber("dial number", c.dialNumber ?? "");
        const vars = [`leg_timeout=${Math.max(1, Math.ceil((c.timeoutMs || 30_000) / 1000))}`];
        if (cmd.callerId) vars.push(`origination_caller_id_number=${safeNumber("caller id", cmd.callerId)}`);
        // ESL.md pitfall 1: without continue_on_fail a failed bridge hangs up the caller.
        if (!this.#continueOnFail) this.#execute("set", "continue_on_fail=true", true);
        this.#continueOnFail = true;
        this.#dialing = true;
        this.#execute("bridge", `{${vars.join(",")}}sofia/gateway/${gw}/${num}`, false, (ev) => this.#bridgeDone(ev));
        return;
      }
      case "bridge":
        return; // FreeSWITCH's bridge app already joined the legs on answer
      case "scheduleHangup": {
        // Switch-side backstop one second after the agent's own exact timer (1 s granularity, pitfall 8).
        const secs = Math.max(1, Math.ceil((cmd.atMs - this.#now()) / 1000) + 1);
        if (this.#scheduled) this.#conn.api("sched_del", this.channelId);
        this.#scheduled = true;
        this.#conn.api("sched_hangup", `+${secs} ${this.channelId} ALLOTTED_TIMEOUT`);
        return;
      }
      case "hangup":
        this.#weHungUp = true;
        this.#conn.send(`sendmsg ${this.channelId}`, { "call-command": "hangup", "hangup-cause": cmd.reason === "ALLOTTED_TIMEOUT" ? "ALLOTTED_TIMEOUT" : causeOfQ850(cmd.q850) });
        return;
    }
  }

  #play(id: PlayId, playlist: string[], early: boolean): void {
    const arg = playbackArg(playlist.map((p) => `${this.#opts.promptDir}${safePrompt(p)}.wav`));
    if (!early) {
      // Mid-call (bridge running): broadcast to the caller's leg without disturbing the bridge.
      this.#conn.api("uuid_broadcast", `${this.channelId} ${arg} aleg`);
      return;
    }
    if (!this.#preAnswered) this.#execute("pre_answer", "", true);
    this.#preAnswered = true;
    this.#execute("playback", arg, false, (ev) => {
      const ok = !!ev && !this.#hungUp && ev.getHeader("Application-Response") !== "PLAYBACK ERROR";
      this.#emit({ type: "playDone", at: this.#now(), id, ok });
    });
  }

  #bridgeDone(ev: EslEvent | null): void {
    this.#dialing = false;
    if (!ev || this.#hungUp) return;
    const o = bridgeOutcome((k) => ev.getHeader(k), this.#prevSip);
    this.#prevSip = ev.getHeader("variable_sip_invite_failure_status") ?? this.#prevSip;
    const at = this.#now();
    if (o.answered) {
      if (!this.#answered) this.#emit({ type: "answered", at });
      this.#answered = true;
      // ESL.md pitfall 2: B hung up, the caller stays parked in the socket app.
      this.#emit({ type: "hangup", at, by: "callee", q850: o.q850 });
      return;
    }
    this.#emit({ type: "dialFailed", at, q850: o.q850, sipCode: o.sipCode });
  }

  #onEvent(ev: EslEvent): void {
    const name = ev.getHeader("Event-Name");
    if (!name || ev.getHeader("Unique-ID") !== this.channelId) return;
    const at = this.#now();
    switch (name) {
      case "CHANNEL_EXECUTE_COMPLETE": {
        const id = ev.getHeader("Application-UUID") ?? "";
        const p = this.#pending.get(id);
        if (p) {
          this.#pending.delete(id);
          p.done(ev);
        }
        return;
      }
      case "CHANNEL_PROGRESS":
      case "CHANNEL_PROGRESS_MEDIA":
        if (this.#dialing) this.#emit({ type: "progress", at });
        return;
      case "CHANNEL_ANSWER":
      case "CHANNEL_BRIDGE":
        if (this.#dialing && !this.#answered) {
          this.#answered = true;
          this.#emit({ type: "answered", at });
        }
        return;
      case "CHANNEL_HANGUP":
        this.#onHangup(ev, at);
        return;
      case "CHANNEL_HANGUP_COMPLETE":
        this.cdr = ev;
        this.#onHangup(ev, at);
        this.#conn.send("exit");
        return;
    }
  }

  #onHangup(ev: EslEvent | null, at: number): void {
    if (this.#hungUp) return;
    this.#hungUp = true;
    const h = ev ? hangupOf((k) => ev.getHeader(k)) : { q850: 16, sipCode: 0 };
    // The socket closing without a hangup event: the switch is gone, not the caller.
    this.#emit({ type: "hangup", at, by: this.#weHungUp || !ev ? "system" : "caller", q850: h.q850, sipCode: h.sipCode });
    // ESL.md pitfall 5: a dead channel never completes what was queued; fail it now.
    for (const p of [...this.#pending.values()]) p.done(null);
    this.#pending.clear();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#onHangup(null, this.#now());
    this.#closed = true;
  }
}
