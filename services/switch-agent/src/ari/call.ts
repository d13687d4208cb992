// One Asterisk call in Stasis: the inbound leg A, at most one B leg the agent originated, and a
// mixing bridge. Events arrive already routed by channel id (driver.ts); every REST request has a
// timeout (ARI.md pitfall 1) and a 404 after a hangup is normal (pitfall 3).
import { randomUUID } from "node:crypto";
import type { Logger } from "@callctl/core";
import { EventPort, type EventSink, type IncomingCall, type SwitchCommand } from "../driver.ts";
import type { FlowEvent, PlayId } from "../flow/types.ts";
import { cleanCaller, cleanDialed, safeName, safeNumber, safePrompt } from "../validate.ts";

// biome-ignore lint/suspicious/noExplicitAny: ari-client is untyped; calls go through rest() only
export type AriClient = any;
export interface AriChannel {
  id: string;
  state?: string;
  caller?: { number?: string; name?: string };
  dialplan?: { exten?: string };
}
export interface AriEvent {
  type: string;
  channel?: AriChannel;
  peer?: AriChannel;
  playback?: { id: string; state: string };
  dialstatus?: string;
  cause?: number;
  tech_cause?: number;
  args?: string[];
}

export interface AriCallHost {
  client: AriClient;
  app: string;
  log: Logger;
  timeoutMs: number;
  now(): number;
  register(id: string, call: AriCall): void;
  unregister(id: string): void;
}

export class AriCall implements IncomingCall {
  readonly channelId: string;
  readonly caller: string;
  readonly dialed: string;
  readonly invalid?: string;
  #h: AriCallHost;
  readonly #events = new EventPort();
  #plays = new Map<string, PlayId>();
  #b?: string;
  #bAnswered = false;
  #bridge?: string;
  #progressed = false;
  #hungUp = false;
  #weHungUp = false;

  constructor(ch: AriChannel, host: AriCallHost) {
    this.#h = host;
    this.channelId = ch.id;
    this.caller = cleanCaller(ch.caller?.number);
    const d = cleanDialed(ch.dialplan?.exten);
    this.dialed = d.dialed;
    if (d.invalid) this.invalid = d.invalid;
    host.register(ch.id, this);
  }

  bind(sink: EventSink): void {
    this.#events.bind(sink);
  }

  #emit(ev: FlowEvent): void {
    this.#events.emit(ev);
  }

  /** One REST call with a deadline; resolves undefined on failure (logged unless a 404 after hangup). */
  async rest<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([fn(), new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`ARI ${what}: no reply in ${this.#h.timeoutMs} ms`)), this.#h.timeoutMs)))]);
    } catch (err) {
      if (!this.#hungUp) this.#h.log.warn({ err, what, channel: this.channelId }, "ARI request failed");
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  run(cmd: SwitchCommand): void {
    try {
      void this.#run(cmd);
    } catch (err) {
      this.#h.log.error({ err, cmd: cmd.kind }, "ARI command refused");
      if (cmd.kind === "play") this.#emit({ type: "playDone", at: this.#h.now(), id: cmd.id, ok: false });
      if (cmd.kind === "dial") this.#emit({ type: "dialFailed", at: this.#h.now(), q850: 41 });
    }
  }

  #run(cmd: SwitchCommand): Promise<unknown> | undefined {
    const c = this.#h.client;
    const A = this.channelId;
    switch (cmd.kind) {
      case "play": {
        const media = cmd.playlist.map((p) => `sound:${safePrompt(p)}`).join(",");
        const playbackId = randomUUID();
        this.#plays.set(playbackId, cmd.id);
        const early = cmd.early && !this.#progressed;
        this.#progressed ||= cmd.early;
        return (async () => {
          if (early) await this.rest("progress", () => c.channels.progress({ channelId: A }));
          const r = await this.rest("play", () => c.channels.play({ channelId: A, media, playbackId }));
          if (!r) this.#playDone(playbackId, false);
        })();
      }
      case "dial": {
        const k = cmd.candidate;
        const endpoint = `PJSIP/${safeNumber("dial number", k.dialNumber ?? "")}@${safeName("trunk", k.gateway ?? "")}`;
        const B = randomUUID();
        this.#b = B;
        this.#bAnswered = false;
        this.#h.register(B, this);
        const callerId = cmd.callerId ? safeNumber("caller id", cmd.callerId) : "";
        return this.rest("originate", () => c.channels.originate({ endpoint, app: this.#h.app, appArgs: `b,${A}`, callerId, timeout: Math.max(1, Math.ceil((k.timeoutMs || 30_000) / 1000)), channelId: B })).then((r) => {
          if (!r && this.#b === B) this.#bGone(B, 41, 0);
        });
      }
      case "bridge": {
        const bridgeId = randomUUID();
        this.#bridge = bridgeId;
        return (async () => {
          await this.rest("answer", () => c.channels.answer({ channelId: A }));
          await this.rest("bridge", () => c.bridges.create({ type: "mixing", bridgeId, name: `callctl-${A}` }));
          await this.rest("addChannel", () => c.bridges.addChannel({ bridgeId, channel: `${A},${this.#b}` }));
        })();
      }
      case "scheduleHangup": {
        // Asterisk-side backstop one second after the agent's own exact timer.
        const secs = Math.max(1, Math.ceil((cmd.atMs - this.#h.now()) / 1000) + 1);
        return this.rest("TIMEOUT(absolute)", () => c.channels.setChannelVar({ channelId: A, variable: "TIMEOUT(absolute)", value: String(secs) }));
      }
      case "hangup":
        this.#weHungUp = true;
        return this.#teardown(cmd.q850);
    }
  }

  async #teardown(q850: number): Promise<void> {
    const c = this.#h.client;
    const B = this.#b;
    this.#b = undefined;
    if (B) await this.rest("hangup B", () => c.channels.hangup({ channelId: B }));
    if (!this.#hungUp) await this.rest("hangup A", () => c.channels.hangup({ channelId: this.channelId, reason_code: String(q850) }));
    const br = this.#bridge;
    this.#bridge = undefined;
    if (br) await this.rest("bridge destroy", () => c.bridges.destroy({ bridgeId: br }));
  }

  #playDone(playbackId: string, ok: boolean): void {
    const id = this.#plays.get(playbackId);
    if (!id) return;
    this.#plays.delete(playbackId);
    this.#emit({ type: "playDone", at: this.#h.now(), id, ok: ok && !this.#hungUp });
  }

  #bGone(B: string, q850: number, sipCode: number): void {
    this.#h.unregister(B);
    if (this.#b !== B) return;
    this.#b = undefined;
    if (this.#bAnswered) this.#emit({ type: "hangup", at: this.#h.now(), by: "callee", q850 });
    else this.#emit({ type: "dialFailed", at: this.#h.now(), q850, sipCode });
  }

  /** Events for A or this call's B leg (driver.ts routes them by channel id). */
  onEvent(ev: AriEvent): void {
    const id = ev.channel?.id ?? ev.peer?.id;
    const isA = id === this.channelId;
    switch (ev.type) {
      case "PlaybackFinished":
        if (ev.playback) this.#playDone(ev.playback.id, ev.playback.state === "done");
        return;
      case "Dial":
        if (ev.peer?.id === this.#b && ev.dialstatus === "RINGING") this.#emit({ type: "progress", at: this.#h.now() });
        return;
      case "StasisStart":
        if (!isA && id === this.#b && !this.#bAnswered) {
          this.#bAnswered = true;
          for (const p of this.#plays.keys()) void this.rest("stop playback", () => this.#h.client.playbacks.stop({ playbackId: p }));
          this.#emit({ type: "answered", at: this.#h.now() });
        }
        return;
      case "ChannelDestroyed":
        if (!isA && id) this.#bGone(id, ev.cause ?? 16, ev.tech_cause ?? 0);
        return;
      case "ChannelHangupRequest":
      case "StasisEnd":
        if (isA) this.#aGone(ev);
        else if (id && this.#bAnswered && ev.type === "ChannelHangupRequest" && !this.#weHungUp) this.#bGone(id, ev.cause ?? 16, 0);
        return;
    }
  }

  #aGone(ev: AriEvent): void {
    if (this.#hungUp) return;
    this.#hungUp = true;
    // StasisEnd without ChannelHangupRequest: Asterisk's own TIMEOUT(absolute) fired (ARI.md §2).
    const by = this.#weHungUp || ev.type === "StasisEnd" ? "system" : "caller";
    this.#emit({ type: "hangup", at: this.#h.now(), by, q850: ev.cause ?? 16 });
    for (const p of [...this.#plays.keys()]) this.#playDone(p, false);
    void this.#teardown(16).finally(() => this.#h.unregister(this.channelId));
  }
}
