// Simulated Asterisk channels in Stasis: inbound callers, originated/created trunk legs, their
// playbacks, bridges and the events ARI reports for each transition (as recorded from Asterisk 22).
import { randomUUID } from "node:crypto";
import { playbackMs } from "../esl/apps.ts";
import type { SimAttempt, SimCallResult, SimCallSpec } from "../types.ts";
import { type AriBridgeState, type AriChannelState, type AriPlaybackState, ariTime, CAUSE_TXT, FS_CAUSE, sipForCause } from "./model.ts";

export interface CallRec {
  spec: SimCallSpec;
  startedAt: number;
  answeredAt?: number;
  firstProvisionalAt?: number;
  playbacks: string[];
  earlyMedia: boolean;
  attempts: SimAttempt[];
  bridgedGateway?: string;
  hangupBy: SimCallResult["hangupBy"];
  sipCode?: number;
  cause?: string;
  resolve(r: SimCallResult): void;
}

export interface SimChan {
  j: AriChannelState;
  kind: "in" | "out";
  app: string;
  inStasis: boolean;
  vars: Map<string, string>;
  bridge?: string;
  call?: CallRec; // inbound legs
  attempt?: SimAttempt; // outbound legs
  trunk?: string;
  dialstring?: string;
  viaDial?: boolean; // created + dial (no final Dial event on failure)
  timers: Set<NodeJS.Timeout>;
  gone: boolean;
}

export interface World {
  scale(ms: number): number;
  emit(app: string, type: string, fields: Record<string, unknown>): void;
  defaultPlaybackMs: number;
}

export class Channels {
  readonly chans = new Map<string, SimChan>();
  readonly bridges = new Map<string, AriBridgeState>();
  /** Bridges made with the proxy_media flag (never native RTP). */
  readonly proxyMedia = new Set<string>();
  readonly playbacks = new Map<string, { p: AriPlaybackState; chan: string; timer?: NodeJS.Timeout }>();
  private n = 0x6300;
  constructor(readonly w: World) {}

  after(c: SimChan, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      c.timers.delete(t);
      if (!c.gone) fn();
    }, this.w.scale(ms));
    c.timers.add(t);
    return t;
  }

  newChannel(kind: "in" | "out", p: { id?: string; tech: string; caller: { name: string; number: string }; app: string; exten: string; context: string; appName: string; appData: string }): SimChan {
    const seq = (this.n++).toString(16).padStart(8, "0");
    const now = Date.now();
    const id = p.id || `${Math.floor(now / 1000)}.${this.n}`;
    const c: SimChan = {
      j: {
        id,
        name: `PJSIP/${p.tech}-${seq}`,
        state: kind === "in" ? "Ring" : "Down",
        protocol_id: kind === "in" ? `${this.n}-${seq}@192.0.2.10` : randomUUID(),
        caller: { ...p.caller },
        connected: { name: "", number: kind === "out" ? p.caller.number : "" },
        accountcode: "",
        dialplan: { context: p.context, exten: p.exten, priority: kind === "in" ? 2 : 1, app_name: p.appName, app_data: p.appData },
        creationtime: ariTime(now),
        language: "en",
      },
      kind,
      app: p.app,
      inStasis: false,
      vars: new Map(),
      timers: new Set(),
      gone: false,
    };
    this.chans.set(id, c);
    return c;
  }

  // Events carry the channel (and bridge) as they are now, not copies: the simulator turns an
  // event into JSON before emit returns (AriSimulator#emit), so later changes cannot reach it.
  emit(c: SimChan, type: string, fields: Record<string, unknown> = {}): void {
    this.w.emit(c.app, type, { ...fields, channel: c.j });
  }

  setState(c: SimChan, state: AriChannelState["state"]): void {
    if (c.j.state === state) return;
    c.j.state = state;
    this.emit(c, "ChannelStateChange");
  }

  stasisStart(c: SimChan, args: string[]): void {
    c.inStasis = true;
    c.j.dialplan.app_name = "Stasis";
    // An originated leg enters Stasis from AppDial2: its app data becomes the app and its args.
    if (c.kind === "out" && !c.viaDial) c.j.dialplan.app_data = [c.app, ...args].join(",");
    this.w.emit(c.app, "StasisStart", { args, channel: c.j });
  }

  provisional(c: SimChan): void {
    if (c.call && c.call.firstProvisionalAt === undefined) c.call.firstProvisionalAt = Date.now();
  }

  answer(c: SimChan): void {
    if (c.j.state === "Up") return;
    this.setState(c, "Up");
    if (c.call && c.call.answeredAt === undefined) {
      c.call.answeredAt = Date.now();
      this.provisional(c);
      const hold = c.call.spec.hangupAfterAnswerMs;
      if (hold !== undefined) this.after(c, hold, () => this.callerHangup(c));
    }
  }

  play(c: SimChan, media: string[], id: string, lang?: string): AriPlaybackState {
    const p: AriPlaybackState = { id, media_uri: media.join(","), target_uri: `channel:${c.j.id}`, language: lang ?? "en", state: "queued" };
    const rec = { p, chan: c.j.id, timer: undefined as NodeJS.Timeout | undefined };
    this.playbacks.set(id, rec);
    const reply = { ...p };
    // Right after the 201 goes out (process.nextTick runs once the REST handler has replied).
    process.nextTick(() => {
      if (p.state !== "queued" || c.gone) return;
      p.state = "playing";
      const call = c.call;
      if (call) {
        call.playbacks.push(...media);
        if (c.j.state !== "Up") {
          call.earlyMedia = true;
          this.provisional(c); // Asterisk sends 183 with SDP itself
        }
        const hd = call.spec.hangupDuringAnnouncementMs;
        if (hd !== undefined && call.playbacks.length === media.length) this.after(c, hd, () => this.callerHangup(c));
      }
      this.w.emit(c.app, "PlaybackStarted", { playback: { ...p } });
      const dur = media.reduce((s, m) => s + playbackMs(m, this.w.defaultPlaybackMs), 0);
      rec.timer = this.after(c, dur, () => this.finishPlayback(id, "done"));
    });
    return reply;
  }

  finishPlayback(id: string, state: "done" | "failed"): boolean {
    const rec = this.playbacks.get(id);
    if (!rec) return false;
    this.playbacks.delete(id);
    if (rec.timer) clearTimeout(rec.timer);
    rec.p.state = state;
    const c = this.chans.get(rec.chan);
    if (c) this.w.emit(c.app, "PlaybackFinished", { playback: { ...rec.p } });
    return true;
  }

  addToBridge(b: AriBridgeState, c: SimChan): void {
    if (c.bridge === b.id) return;
    if (c.bridge) this.leaveBridge(c);
    c.bridge = b.id;
    b.channels.push(c.j.id);
    this.w.emit(c.app, "ChannelEnteredBridge", { bridge: b, channel: c.j });
    this.nativeRtp(b);
  }

  /** After two legs meet in a bridge, each sees the other as connected line. */
  connectLines(b: AriBridgeState): void {
    const legs = b.channels.map((id) => this.chans.get(id)).filter((x): x is SimChan => !!x);
    if (legs.length !== 2) return;
    const [a, z] = legs as [SimChan, SimChan];
    // Legs that met through create + dial: the dialled leg took the caller's id at dial time and
    // the caller's connected line stays empty (recorded); no ChannelConnectedLine here.
    if (legs.some((l) => l.viaDial)) {
      this.noteGateway(legs);
      return;
    }
    a.j.connected = { name: z.j.caller.name, number: z.j.caller.number || a.j.caller.number };
    z.j.connected = { name: a.j.caller.name, number: a.j.caller.number };
    for (const l of legs) this.emit(l, "ChannelConnectedLine");
    this.noteGateway(legs);
  }

  private noteGateway(legs: SimChan[]): void {
    const inbound = legs.find((l) => l.call);
    const out = legs.find((l) => l.kind === "out");
    if (inbound?.call && out?.trunk) inbound.call.bridgedGateway = out.trunk;
  }

  leaveBridge(c: SimChan): void {
    const b = c.bridge ? this.bridges.get(c.bridge) : undefined;
    c.bridge = undefined;
    if (!b) return;
    b.channels = b.channels.filter((x) => x !== c.j.id);
    this.w.emit(c.app, "ChannelLeftBridge", { bridge: b, channel: c.j });
    this.nativeRtp(b);
  }

  /**
   * Asterisk's smart bridge: a mixing bridge (not proxy_media) with exactly two PJSIP legs moves to
   * native RTP once the second has entered, and back when the count changes (recorded: the first
   * ChannelLeftBridge reads native_rtp, everything before it simple_bridge).
   */
  private nativeRtp(b: AriBridgeState): void {
    const two = b.channels.length === 2 && b.bridge_type === "mixing" && !this.proxyMedia.has(b.id);
    if (two && b.technology === "simple_bridge") b.technology = "native_rtp";
    else if (!two && b.technology === "native_rtp") b.technology = "simple_bridge";
  }

  /** The caller sends BYE (answered) or CANCEL (unanswered). */
  callerHangup(c: SimChan): void {
    if (c.gone || !c.call) return;
    c.call.hangupBy = "caller";
    if (c.j.state === "Up") {
      c.call.cause = "NORMAL_CLEARING";
      this.destroy(c, { request: {} });
    } else {
      c.call.cause = "ORIGINATOR_CANCEL";
      c.call.sipCode = 487;
      this.destroy(c, { request: { cause: 127, tech_cause: 487 } });
    }
  }

  /**
   * Tear a channel down: ChannelHangupRequest (optional), failed playbacks, ChannelLeftBridge,
   * StasisEnd, and ChannelDestroyed for originated legs only (never for the inbound leg).
   */
  destroy(c: SimChan, o: { request?: Record<string, unknown>; cause?: number; techCause?: number; dialstatus?: string }): void {
    if (c.gone) return;
    if (o.request) this.emit(c, "ChannelHangupRequest", o.request);
    c.gone = true;
    for (const t of c.timers) clearTimeout(t);
    c.timers.clear();
    if (o.dialstatus !== undefined) this.w.emit(c.app, "Dial", this.dialFields(c, o.dialstatus));
    for (const [id, rec] of [...this.playbacks]) if (rec.chan === c.j.id) this.finishPlaybackOf(c, id);
    if (c.bridge) this.leaveBridge(c);
    if (c.inStasis) this.w.emit(c.app, "StasisEnd", { channel: c.j });
    const cause = o.cause ?? 16;
    if (c.kind === "out") {
      // Recorded: an originated leg is destroyed back in AppDial2 ("(Outgoing Line)"); a created
      // and dialled one with no application at all.
      if (c.viaDial) c.j.dialplan.app_name = c.j.dialplan.app_data = "";
      else {
        c.j.dialplan.app_name = "AppDial2";
        c.j.dialplan.app_data = "(Outgoing Line)";
      }
      const f: Record<string, unknown> = { cause, cause_txt: CAUSE_TXT[cause] ?? "Unknown" };
      if (o.techCause) f.tech_cause = o.techCause;
      this.emit(c, "ChannelDestroyed", f);
      if (c.attempt && !c.attempt.endedAt) c.attempt.endedAt = Date.now();
    }
    this.chans.delete(c.j.id);
    if (c.call) this.finishCall(c, cause);
  }

  private finishPlaybackOf(c: SimChan, id: string): void {
    const rec = this.playbacks.get(id);
    if (!rec) return;
    this.playbacks.delete(id);
    if (rec.timer) clearTimeout(rec.timer);
    rec.p.state = "failed";
    this.w.emit(c.app, "PlaybackFinished", { playback: { ...rec.p } });
  }

  dialFields(c: SimChan, dialstatus: string): Record<string, unknown> {
    // Recorded: after create + dial only the first Dial (no status yet) names the dial string.
    const dialstring = c.viaDial && dialstatus !== "" ? "" : (c.dialstring ?? "");
    return { dialstatus, forward: "", dialstring, peer: c.j };
  }

  private finishCall(c: SimChan, cause: number): void {
    const call = c.call!;
    const now = Date.now();
    const answered = call.answeredAt !== undefined;
    const name = call.cause ?? FS_CAUSE[cause] ?? "NORMAL_CLEARING";
    call.resolve({
      uuid: c.j.id,
      answered,
      hangupCause: name,
      q850: name === "ORIGINATOR_CANCEL" ? 127 : cause,
      sipCode: answered ? 200 : (call.sipCode ?? sipForCause(cause)),
      billsec: answered ? Math.floor((now - call.answeredAt!) / 1000) : 0,
      durationMs: now - call.startedAt,
      bridgedGateway: call.bridgedGateway,
      attempts: call.attempts,
      playbacks: call.playbacks,
      earlyMedia: call.earlyMedia,
      pddMs: call.firstProvisionalAt !== undefined ? call.firstProvisionalAt - call.startedAt : undefined,
      hangupBy: call.hangupBy,
    });
  }
}
