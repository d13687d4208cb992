// AriSimulator: a simulated Asterisk 22 ARI (REST + events WebSocket) for ari-client 2.2.0.
import http from "node:http";
import type net from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { deferred, type SimCallHandle, type SimCallResult, type SimCallSpec, type TrunkBehaviour } from "../types.ts";
import { Channels } from "./channels.ts";
import { EVENT_MODELS, resourceDoc, resourceList } from "./docs.ts";
import { ariEvent, ariTime } from "./model.ts";
import { decodeSegment, parseQuery, type RestCtx, route } from "./rest.ts";
import { AriError } from "./trunk.ts";

export interface AriSimulatorOptions {
  port?: number;
  username: string;
  password: string;
  app?: string;
  trunks: Record<string, TrunkBehaviour>;
  timeScale?: number;
  /** Asterisk http.conf sessionlimit (default here 1000; Asterisk's own default is 100). */
  sessionLimit?: number;
  log?: (s: string) => void;
  defaultPlaybackMs?: number;
  /** Every REST answer as sent (the tests compare them with the recorded ones). */
  onRest?: (r: { method: string; path: string; query: Record<string, string>; status: number; body: unknown }) => void;
}

const ASTERISK_ID = "02:fc:00:00:00:01";

/** Response headers (Node's writeHead reads them and does not keep or change the object). */
const NO_BODY_HEADERS = { Server: "Asterisk/22.10.1" };
const JSON_HEADERS = { Server: "Asterisk/22.10.1", "Content-Type": "application/json" };

/** The TCP socket under each events WebSocket (the one handleUpgrade was given). */
const socketOf = new WeakMap<WebSocket, net.Socket>();
/** Event sockets corked during this loop turn, uncorked together on the next tick. */
let corked: net.Socket[] = [];
function uncorkAll(): void {
  const socks = corked;
  corked = [];
  for (const s of socks) s.uncork();
}

export class AriSimulator {
  private readonly opts: AriSimulatorOptions;
  private readonly trunks: Record<string, TrunkBehaviour>;
  private server?: http.Server;
  private wss?: WebSocketServer;
  private port = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly apps = new Map<string, WebSocket>();
  private ch: Channels;
  private startedAt = Date.now();
  private sessionLimit: number;
  private credentials?: string;
  private basic?: string;
  /** Events dropped because their type is not in events.json (ari-client would crash on them). */
  droppedEvents = 0;

  constructor(opts: AriSimulatorOptions) {
    this.opts = opts;
    this.trunks = { ...opts.trunks };
    this.sessionLimit = opts.sessionLimit ?? 1000;
    this.ch = this.newWorld();
  }

  /** Change http.conf sessionlimit at run time; idle keep-alive sessions are closed so the next request needs a new one. */
  setSessionLimit(n: number): void {
    this.sessionLimit = n;
    this.server?.closeIdleConnections();
  }

  /** Open HTTP sessions (REST keep-alive connections and WebSockets). */
  get openSessions(): number {
    return this.sockets.size;
  }

  private newWorld(): Channels {
    return new Channels({
      scale: (ms) => ms * (this.opts.timeScale ?? 1),
      emit: (app, type, fields) => this.emit(app, ariEvent(type, fields)),
      defaultPlaybackMs: this.opts.defaultPlaybackMs ?? 2000,
    });
  }

  faults = {
    dropWebSocket: (): void => {
      for (const ws of this.apps.values()) ws.terminate();
      this.apps.clear();
    },
    restart: async (): Promise<void> => {
      await this.stop();
      this.ch = this.newWorld();
      this.startedAt = Date.now();
      await this.start();
    },
  };

  /** Send an event (a fresh object, taken over: it gets `asterisk_id` and `application`) to the app's WebSocket. Types absent from our events.json never leave. */
  emit(app: string, ev: Record<string, unknown> & { type: string }): boolean {
    if (!(ev.type in EVENT_MODELS)) {
      this.droppedEvents++;
      this.opts.log?.(`ari: dropped event of unknown type ${ev.type}`);
      return false;
    }
    const ws = this.apps.get(app);
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    // The events of one loop turn leave in one write (each stays its own WebSocket frame): a
    // socket write per event was the simulator's largest cost (~20 events per call).
    const sock = socketOf.get(ws);
    if (sock && sock.writableCorked === 0) {
      if (!corked.length) process.nextTick(uncorkAll);
      sock.cork();
      corked.push(sock);
    }
    // The event is ours now: the two keys are set on it (a key it already has keeps its place, as
    // in `{ ...ev, asterisk_id, application }`) and it becomes JSON before emit returns.
    ev.asterisk_id = ASTERISK_ID;
    ev.application = app;
    ws.send(JSON.stringify(ev));
    return true;
  }

  async start(): Promise<{ url: string }> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on("connection", (sock: net.Socket) => {
      // Past sessionlimit Asterisk accepts the connection and closes it without a reply.
      if (this.sockets.size >= this.sessionLimit) {
        sock.destroy();
        return;
      }
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, sock, head) => this.upgrade(wss, req, sock as net.Socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port || this.opts.port || 0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.wss = wss;
    this.port = (server.address() as net.AddressInfo).port;
    return { url: `http://127.0.0.1:${this.port}` };
  }

  private authOk(header: string | undefined, apiKey: string | undefined): boolean {
    const want = (this.credentials ??= `${this.opts.username}:${this.opts.password}`);
    if (apiKey !== undefined) return apiKey === want;
    if (!header?.startsWith("Basic ")) return false;
    // What every client sends for these credentials, compared without decoding (other spellings decode).
    if (header === (this.basic ??= `Basic ${Buffer.from(want).toString("base64")}`)) return true;
    return Buffer.from(header.slice(6), "base64").toString() === want;
  }

  private upgrade(wss: WebSocketServer, req: http.IncomingMessage, sock: net.Socket, head: Buffer) {
    const url = new URL(req.url ?? "/", "http://x");
    const reject = (status: number, body: string, type: string) => {
      sock.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    if (url.pathname !== "/ari/events") return reject(404, '{"message":"Not found"}', "application/json");
    if (!this.authOk(req.headers.authorization, url.searchParams.get("api_key") ?? undefined)) {
      return reject(401, '{"message":"Authentication required"}', "application/json");
    }
    const apps = (url.searchParams.get("app") ?? "").split(",").filter(Boolean);
    if (!apps.length) return reject(400, "<!doctype html><title>400 Bad Request</title><h1>Bad Request</h1>", "text/html");
    wss.handleUpgrade(req, sock, head, (ws) => {
      socketOf.set(ws, sock);
      for (const app of apps) {
        const old = this.apps.get(app);
        if (old && old.readyState === WebSocket.OPEN) {
          // The old socket stays open but silent.
          old.send(JSON.stringify({ type: "ApplicationReplaced", timestamp: ariTime(), application: app, asterisk_id: ASTERISK_ID }));
        }
        this.apps.set(app, ws);
      }
      ws.on("close", () => {
        for (const app of apps) if (this.apps.get(app) === ws) this.apps.delete(app);
      });
    });
  }

  /** The REST handlers' view of this simulator (one per world: `restart` makes a new one). */
  private rest?: RestCtx;

  private ctx(): RestCtx {
    if (this.rest?.ch === this.ch) return this.rest;
    this.rest = {
      ch: this.ch,
      trunks: this.trunks,
      apps: () => [...this.apps.keys()],
      info: () => ({
        build: { os: "Linux", kernel: "sim", machine: "x86_64", options: "", date: ariTime(this.startedAt), user: "sim" },
        system: { version: "22.10.1", entity_id: ASTERISK_ID },
        config: { name: "", default_language: "en", setid: { user: "", group: "" }, max_open_files: 65536 },
        status: { startup_time: ariTime(this.startedAt), last_reload_time: ariTime(this.startedAt) },
      }),
    };
    return this.rest;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const send = (status: number, body?: unknown, headers?: Record<string, string>) => {
      const text = body === undefined ? "" : JSON.stringify(body);
      this.opts.onRest?.({ method: req.method ?? "", path, query: q, status, body: text ? JSON.parse(text) : null });
      const h = text ? JSON_HEADERS : NO_BODY_HEADERS;
      res.writeHead(status, headers ? { ...h, ...headers } : h);
      res.end(text);
    };
    const target = req.url ?? "/";
    const qm = target.indexOf("?");
    const q = qm < 0 ? {} : parseQuery(target.slice(qm + 1));
    const path = qm < 0 ? target : target.slice(0, qm);
    if (!this.authOk(req.headers.authorization, q.api_key)) {
      req.resume();
      return send(401, { message: "Authentication required" }, { "WWW-Authenticate": 'Basic realm="Asterisk REST Interface"' });
    }
    // Request bodies (originate `variables`) are accepted and ignored; a request without one is
    // answered at once (no 'end' listener and tick per request).
    req.resume();
    const reply = () => {
      const host = req.headers.host ?? `127.0.0.1:${this.port}`;
      const docs = /^\/ari\/api-docs\/(\w+)\.json$/.exec(path);
      if (path === "/ari/api-docs/resources.json") return send(200, resourceList(host));
      if (docs) {
        const d = resourceDoc(docs[1]!, host);
        return d ? send(200, d) : send(404, { message: "Not found" });
      }
      if (!path.startsWith("/ari/")) return send(404, { message: "Not found" });
      try {
        const parts = path.slice(5).split("/").filter(Boolean).map(decodeSegment);
        const r = route(this.ctx(), req.method ?? "GET", parts, q);
        send(r.status, r.body);
      } catch (e) {
        if (e instanceof AriError) return send(e.status, e.body);
        this.opts.log?.(`ari: ${(e as Error).stack}`);
        send(500, { message: "Internal Server Error" });
      }
    };
    const len = req.headers["content-length"];
    if ((len === undefined || len === "0") && req.headers["transfer-encoding"] === undefined) reply();
    else req.on("end", reply);
  }

  setTrunk(name: string, b: TrunkBehaviour): void {
    this.trunks[name] = b;
  }

  /** A new inbound channel entering Stasis(app): StasisStart with state Ring. */
  placeCall(spec: SimCallSpec): SimCallHandle {
    const app = this.opts.app ?? "callctl";
    const d = deferred<SimCallResult>();
    const c = this.ch.newChannel("in", {
      tech: "pstn-in",
      caller: { name: spec.callerName ?? "", number: spec.caller },
      app,
      exten: spec.dialed,
      context: "from-pstn",
      appName: "Stasis",
      appData: app,
    });
    c.call = { spec, startedAt: Date.now(), playbacks: [], earlyMedia: false, attempts: [], hangupBy: "caller", resolve: d.resolve };
    c.call.hangupBy = "switch";
    setImmediate(() => {
      if (!this.apps.has(app)) {
        // Stasis() fails when the application is not registered; the dialplan hangs the call up.
        this.ch.destroy(c, { cause: 41 });
        return;
      }
      this.ch.stasisStart(c, []);
      if (spec.hangupAfterMs !== undefined) this.ch.after(c, spec.hangupAfterMs, () => this.ch.callerHangup(c));
    });
    return { uuid: c.j.id, done: d.promise };
  }

  async stop(): Promise<void> {
    for (const ws of this.apps.values()) ws.terminate();
    this.apps.clear();
    for (const c of [...this.ch.chans.values()]) {
      if (c.call) c.call.hangupBy = "switch";
      this.ch.destroy(c, { cause: 16 });
    }
    this.wss?.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
