// The FreeSWITCH driver: an outbound-ESL listener (the dialplan's `socket host:port async full`
// connects here, one TCP connection per call) and an optional inbound management connection for
// `api`, heartbeats and health. Every socket is no-delay and every command one write (wire.ts).
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { Logger } from "@callctl/core";
import esl from "modesl";
import type { Driver, IncomingCall, OriginateSpec } from "../driver.ts";
import { EslCall } from "./call.ts";
import { eslOriginate } from "./originate.ts";
import { takeOverOutbound } from "./link.ts";
import { patchConnection, type EslConnection, type EslEvent } from "./wire.ts";

/** The events EslCall reads; everything else of the channel is never sent to the agent. */
const EVENTS = "event json CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE";

/** The subscription commands for one outbound channel (`myevents json` if its uuid is unusable). */
export function subscribeCommands(uuid: string | null): string[] {
  if (!uuid || !/^[\w-]+$/.test(uuid)) return ["myevents json"];
  return [`filter Unique-ID ${uuid}`, EVENTS];
}

export interface EslDriverOptions {
  host: string;
  port: number;
  /** Prefix of prompt files: `<promptDir><prompt id>.wav`. */
  promptDir?: string;
  inbound?: { host: string; port: number; password: string };
  log: Logger;
  now?: () => number;
}

/** Wraps an accepted (or connected) socket in a modesl Connection that writes once per command. */
export function eslConnection(socket: Socket): EslConnection {
  socket.setNoDelay(true);
  // modesl writes `connect` from its constructor, before it can be patched: cork so that the
  // constructor's line-by-line writes leave as one segment.
  socket.cork();
  const conn = patchConnection(new esl.Connection(socket) as EslConnection);
  socket.uncork();
  return conn;
}

export class EslDriver implements Driver {
  readonly name = "esl" as const;
  #opts: EslDriverOptions;
  #server?: Server;
  #sockets = new Set<Socket>();
  #mgmt?: EslConnection;
  #mgmtOk = false;
  #lastHeartbeat = 0;

  constructor(opts: EslDriverOptions) {
    this.#opts = opts;
  }

  address(): { host: string; port: number } | undefined {
    const a = this.#server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : undefined;
  }

  async start(onCall: (call: IncomingCall) => void): Promise<void> {
    const log = this.#opts.log;
    const server = createServer({ noDelay: true }, (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      // ESL.md: an error during modesl's own connect step crashes the process unless handled.
      socket.on("error", (err) => log.debug({ err }, "esl socket error"));
      const conn = eslConnection(socket);
      conn.on("error", (err: never) => log.debug({ err }, "esl connection error"));
      conn.once("esl::event::CHANNEL_DATA::**", (info: never) => {
        // Narrow subscription (pitfall 10): this channel only, and only the events the call reads
        // (call.ts #onEvent) — `myevents` would carry every CHANNEL_EXECUTE/STATE/... to be parsed
        // and dropped. The filter goes first so no other channel's event can slip in. Keep the
        // socket until we exit (linger). From here on the lean reader (frames.ts) reads the socket.
        const link = takeOverOutbound(conn, socket);
        for (const c of subscribeCommands((info as EslEvent).getHeader("Unique-ID"))) link.send(c);
        link.send("linger 30");
        onCall(new EslCall(link, info as EslEvent, { promptDir: this.#opts.promptDir ?? "", log, now: this.#opts.now }));
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // A call burst (or a short event-loop stall) must not overflow the accept queue: a dropped
      // SYN is retried after 1 s, 3 s, 7 s... and shows up as seconds of post-dial delay.
      server.listen({ port: this.#opts.port, host: this.#opts.host, backlog: 4096 }, () => resolve());
    });
    if (this.#opts.inbound) this.#connectMgmt();
  }

  #connectMgmt(): void {
    const { host, port, password } = this.#opts.inbound!;
    const conn = new esl.Connection(host, port, password) as EslConnection;
    patchConnection(conn);
    this.#mgmt = conn;
    conn.on("error", (err: never) => this.#opts.log.warn({ err }, "esl management connection error"));
    conn.on("esl::ready", () => {
      this.#mgmtOk = true;
      // modesl subscribed to every channel's CHANNEL_EXECUTE_COMPLETE: drop it (pitfall 10).
      conn.send("nixevent CHANNEL_EXECUTE_COMPLETE");
      conn.send("event json HEARTBEAT BACKGROUND_JOB");
    });
    conn.on("esl::event::HEARTBEAT::**", () => {
      this.#lastHeartbeat = Date.now();
    });
    conn.on("esl::end", () => {
      this.#mgmtOk = false;
      if (this.#server?.listening) setTimeout(() => this.#connectMgmt(), 1000).unref();
    });
  }

  /** Callback legs: needs the inbound management connection (bgapi originate). */
  async originate(spec: OriginateSpec): Promise<IncomingCall> {
    const m = this.#mgmt;
    if (!m || !this.#mgmtOk || !this.#opts.inbound) throw new Error("no ESL management connection");
    return eslOriginate({ mgmt: m, inbound: this.#opts.inbound, promptDir: this.#opts.promptDir ?? "", log: this.#opts.log, now: this.#opts.now }, spec);
  }

  /** `api` over the management connection (e.g. `status`, `fsctl pause`). */
  api(command: string, args = ""): Promise<string> {
    const m = this.#mgmt;
    if (!m || !this.#mgmtOk) return Promise.reject(new Error("no ESL management connection"));
    return new Promise((resolve) => m.api(command, args, (ev: EslEvent) => resolve(ev.getBody())));
  }

  healthy(): boolean {
    if (!this.#server?.listening) return false;
    if (!this.#opts.inbound) return true;
    return this.#mgmtOk && (this.#lastHeartbeat === 0 || Date.now() - this.#lastHeartbeat < 60_000);
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    this.#mgmt?.socket?.destroy();
    for (const sock of this.#sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
