// The Asterisk driver: ari-client, Stasis app `callctl`. A table from event type to thin handlers
// that route by channel id to the call (STYLE.md "ARI"); connect and reconnect with back-off,
// re-registering the app after an Asterisk restart; health = WebSocket connected.
import { randomUUID } from "node:crypto";
import type { Logger } from "@callctl/core";
import ari from "ari-client";
import { type Driver, type IncomingCall, OriginateFailedError, type OriginateSpec } from "../driver.ts";
import { safeName, safeNumber } from "../validate.ts";
import { AriCall, type AriChannel, type AriClient, type AriEvent } from "./call.ts";

// swagger-client 2.0.26 (loaded by ari-client) assigns an implicit global `log` that console.logs
// "This API is using a deprecated version of Swagger!" on every connect: on stdout, where
// `callctl bench setup --driver ari --json` must print nothing but JSON. Its messages go to stderr.
const swaggerGlobal = globalThis as { log?: unknown };
if (typeof swaggerGlobal.log === "function" && String(swaggerGlobal.log).includes("log.history")) {
  swaggerGlobal.log = (...args: unknown[]) => process.stderr.write(`ari-client (swagger): ${args.map(String).join(" ")}\n`);
}

export interface AriDriverOptions {
  url: string;
  username: string;
  password: string;
  app?: string;
  /** Deadline of every REST request (ARI.md pitfall 1). */
  requestTimeoutMs?: number;
  log: Logger;
  now?: () => number;
}

const ROUTED = ["StasisEnd", "PlaybackFinished", "Dial", "ChannelDestroyed", "ChannelHangupRequest"];

export class AriDriver implements Driver {
  readonly name = "ari" as const;
  #o: AriDriverOptions;
  #client?: AriClient;
  #calls = new Map<string, AriCall>();
  #connected = false;
  #stopped = false;
  #onCall?: (call: IncomingCall) => void;
  #host?: ConstructorParameters<typeof AriCall>[1];
  /** Callback legs being originated: resolved on StasisStart (answered), rejected on ChannelDestroyed. */
  #originating = new Map<string, { number: string; resolve: (c: AriCall) => void; reject: (e: Error) => void }>();

  constructor(opts: AriDriverOptions) {
    this.#o = opts;
  }

  async start(onCall: (call: IncomingCall) => void): Promise<void> {
    this.#onCall = onCall;
    await this.#connect(0);
  }

  async #connect(attempt: number): Promise<void> {
    const { log } = this.#o;
    const app = this.#o.app ?? "callctl";
    for (let i = attempt; !this.#stopped; i++) {
      try {
        const client: AriClient = await ari.connect(this.#o.url, this.#o.username, this.#o.password);
        this.#client = client;
        this.#wire(client, app);
        await client.start(app);
        this.#connected = true;
        log.info({ app }, "ARI connected, Stasis app registered");
        return;
      } catch (err) {
        const wait = Math.min(10_000, 250 * 2 ** Math.min(i, 6));
        log.warn({ err, wait_ms: wait }, "ARI connect failed; retrying");
        if (i === 0 && attempt === 0) this.#connected = false;
        await new Promise((r) => setTimeout(r, wait).unref());
      }
    }
  }

  #wire(client: AriClient, app: string): void {
    const host = {
      client, app, log: this.#o.log, timeoutMs: this.#o.requestTimeoutMs ?? 2000, now: this.#o.now ?? Date.now,
      register: (id: string, c: AriCall) => this.#calls.set(id, c),
      unregister: (id: string) => this.#calls.delete(id),
    };
    this.#host = host;
    const route = (ev: AriEvent) => {
      const id = ev.type === "Dial" ? ev.peer?.id : ev.channel?.id;
      const orig = id ? this.#originating.get(id) : undefined;
      if (orig && ev.type === "ChannelDestroyed") {
        this.#originating.delete(id!);
        return orig.reject(new OriginateFailedError(ev.cause ?? 41, `cause ${ev.cause ?? "?"}`));
      }
      const call = id ? this.#calls.get(id) : this.#callOfPlayback(ev);
      call?.onEvent(ev);
    };
    client.on("StasisStart", (ev: AriEvent, ch: AriChannel) => {
      const args = ev.args ?? [];
      if (args[0] === "b") return this.#calls.get(args[1] ?? "")?.onEvent({ ...ev, channel: { ...ev.channel, id: ch.id } });
      if (args[0] === "cb") {
        const o = this.#originating.get(ch.id);
        this.#originating.delete(ch.id);
        // The answered leg is driven like an incoming call whose "dialed" is the number we called.
        return o?.resolve(new AriCall({ ...ch, id: ch.id, caller: ch.caller, dialplan: { exten: o.number } }, host));
      }
      this.#onCall?.(new AriCall(ch, host));
    });
    for (const t of ROUTED) client.on(t, (ev: AriEvent) => route(ev));
    client.on("WebSocketReconnecting", () => {
      this.#connected = false;
    });
    client.on("WebSocketConnected", () => {
      this.#connected = true;
    });
    client.on("WebSocketMaxRetries", () => {
      this.#connected = false;
      if (!this.#stopped) void this.#connect(1);
    });
    client.on("ApplicationReplaced", () => this.#o.log.error("another connection took over the Stasis app"));
  }

  /** Callback legs (seed 000 §3.3): resolves once the leg answered and entered Stasis. */
  async originate(spec: OriginateSpec): Promise<IncomingCall> {
    const host = this.#host;
    if (!host || !this.#connected) throw new Error("ARI not connected");
    const endpoint = `PJSIP/${safeNumber("originate number", spec.number)}@${safeName("trunk", spec.gateway)}`;
    const callerId = spec.callerId ? safeNumber("caller id", spec.callerId) : "";
    const channelId = randomUUID();
    const answered = new Promise<AriCall>((resolve, reject) => this.#originating.set(channelId, { number: spec.number, resolve, reject }));
    const timeout = Math.max(1, Math.ceil(spec.timeoutMs / 1000));
    let timer: NodeJS.Timeout | undefined;
    try {
      // ARI.md pitfall 1: every request has a deadline. A 200 only means "accepted" (pitfall 5).
      await Promise.race([
        host.client.channels.originate({ endpoint, app: host.app, appArgs: `cb,${channelId}`, callerId, timeout, channelId }),
        new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error("no reply")), host.timeoutMs))),
      ]);
    } catch (err) {
      this.#originating.delete(channelId);
      throw new OriginateFailedError(41, `originate request failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return answered;
  }

  #callOfPlayback(ev: AriEvent): AriCall | undefined {
    const target = (ev.playback as { target_uri?: string } | undefined)?.target_uri ?? "";
    return target.startsWith("channel:") ? this.#calls.get(target.slice(8)) : undefined;
  }

  healthy(): boolean {
    return this.#connected;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#connected = false;
    try {
      this.#client?.stop();
    } catch {
      /* already closed */
    }
  }
}
