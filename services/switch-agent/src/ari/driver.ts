// The Asterisk driver: ari-client, Stasis app `callctl`. A table from event type to thin handlers
// that route by channel id to the call (STYLE.md "ARI"); connect and reconnect with back-off,
// re-registering the app after an Asterisk restart; health = WebSocket connected.
import type { Logger } from "@callctl/core";
import ari from "ari-client";
import type { Driver, IncomingCall } from "../driver.ts";
import { AriCall, type AriChannel, type AriClient, type AriEvent } from "./call.ts";

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
    const route = (ev: AriEvent) => {
      const id = ev.type === "Dial" ? ev.peer?.id : ev.channel?.id;
      const call = id ? this.#calls.get(id) : this.#callOfPlayback(ev);
      call?.onEvent(ev);
    };
    client.on("StasisStart", (ev: AriEvent, ch: AriChannel) => {
      const args = ev.args ?? [];
      if (args[0] === "b") return this.#calls.get(args[1] ?? "")?.onEvent({ ...ev, channel: { ...ev.channel, id: ch.id } });
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
