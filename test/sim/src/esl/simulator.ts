// EslSimulator: a simulated FreeSWITCH speaking ESL. Inbound listener (:8021 style) plus one
// outbound `socket host:port async full` connection per placed call.
import { randomUUID } from "node:crypto";
import net from "node:net";
import { deferred, type SimCallHandle, type SimCallResult, type SimCallSpec, type TrunkBehaviour } from "../types.ts";
import { runApi } from "./api.ts";
import { type CallHost, EslCall } from "./call.ts";
import { originatedLeg } from "./originated.ts";
import { type EventOpts, eventHead, type SwitchInfo } from "./channel.ts";
import { eventFrame, jsonEventBody, plainEventBody } from "./frames.ts";
import { Session, type SessionHost } from "./session.ts";
import { acceptedConn, type Conn, connectOutbound, type Transport } from "./transport.ts";

export interface EslSimulatorOptions {
  agent: { host: string; port: number };
  inboundPort?: number;
  password?: string;
  trunks: Record<string, TrunkBehaviour>;
  timeScale?: number;
  log?: (s: string) => void;
  /** How long a playback lasts when its name says nothing (`tone2s.wav`, `loops=N`, `500ms`). */
  defaultPlaybackMs?: number;
  /** Delay between a sendmsg's +OK and the app starting (FreeSWITCH: ~20 ms). Scaled. */
  execDelayMs?: number;
  /** FreeSWITCH kills a listener after queueLimit queued events and maxLost lost ones. */
  slowConsumer?: { queueLimit: number; maxLost: number };
  /** Outbound connections on Node's libuv TCP handle (default, where possible) or net.Socket (transport.ts). */
  transport?: Transport;
}

const CONNECT_TIMEOUT_MS = 5000;
const kCall = Symbol("call");
const kDeadline = Symbol("deadline");
type Outbound = Conn & { [kCall]: EslCall; [kDeadline]: number };

function socketAppReturned(call: EslCall): void {
  if (!call.hungUp) call.hangup("NORMAL_CLEARING", false);
}

export class EslSimulator {
  private readonly opts: EslSimulatorOptions;
  private readonly trunks: Record<string, TrunkBehaviour>;
  private server?: net.Server;
  private port = 0;
  private readonly sessions = new Set<Session>();
  /** Sessions that receive events of every channel (no uuid filter). */
  private readonly global = new Set<Session>();
  /** Sessions filtering on a channel's uuid: the one session itself (the common case), or a Set. */
  private readonly byUuid = new Map<string, Session | Set<Session>>();
  /** The frames of the event being emitted, rendered for the first session that wants each format. */
  private plainFrame: string | undefined;
  private jsonFrame: string | undefined;
  readonly calls = new Map<string, EslCall>();
  private readonly outbound = new Map<string, Session>();
  private readonly waiters = new Map<string, (r: SimCallResult) => void>();
  private sw: SwitchInfo;
  private seq = 1;
  private startedAt = Date.now();
  private sessionCount = 0;
  private heartbeat?: NodeJS.Timeout;
  private readonly callHost: CallHost;
  private readonly sessionHost: SessionHost;

  constructor(opts: EslSimulatorOptions) {
    this.opts = opts;
    this.trunks = { ...opts.trunks };
    this.sw = this.newSwitch();
    const scale = (ms: number) => ms * (opts.timeScale ?? 1);
    const log = opts.log ?? (() => undefined);
    this.callHost = {
      sw: this.sw,
      scale,
      trunkFor: (gw) => this.trunks[gw],
      emit: (call, name, o) => this.emit(call, name, o),
      onHangup: (call, remote) => this.outbound.get(call.uuid)?.channelGone("hangup", remote),
      onDestroyed: (call, r) => this.destroyed(call, r),
      defaultPlaybackMs: opts.defaultPlaybackMs ?? 2000,
    };
    this.sessionHost = {
      password: opts.password ?? "ClueCon",
      scale,
      call: (uuid) => this.calls.get(uuid),
      api: (cmd) => runApi(this.apiHost(), cmd),
      apiDone: (cmd) => this.apiDone(cmd),
      subscriptionsChanged: (s) => this.index(s),
      sendEvent: (h, body, name, owner) => this.sendEvent(h, body, name, owner),
      closed: (s) => this.sessionClosed(s),
      slowConsumer: opts.slowConsumer ?? { queueLimit: 100000, maxLost: 500 },
      execDelayMs: opts.execDelayMs ?? 20,
      log,
    };
  }

  faults = {
    dropAll: (): void => {
      for (const s of [...this.sessions]) s.destroy();
    },
    restart: async (): Promise<void> => {
      await this.stop();
      this.sw = this.newSwitch();
      this.callHost.sw = this.sw;
      this.startedAt = Date.now();
      await this.start();
    },
  };

  private newSwitch(): SwitchInfo {
    this.seq = 1;
    return { coreUuid: randomUUID(), hostname: "sim", nextSeq: () => this.seq++ };
  }

  private apiHost() {
    return {
      calls: this.calls,
      startedAt: this.startedAt,
      sessionsSinceStart: () => this.sessionCount,
      trunkFor: (gw: string) => this.trunks[gw],
      scale: this.callHost.scale,
      afterReply: (line: string, fn: (apiEvent?: () => void) => void) => {
        let q = this.afterReply.get(line);
        if (!q) this.afterReply.set(line, (q = []));
        q.push(fn);
        // The reply may never go out (the session closed): run it without the event next turn.
        setImmediate(() => {
          const i = q.indexOf(fn);
          if (i < 0) return;
          q.splice(i, 1);
          if (!q.length && this.afterReply.get(line) === q) this.afterReply.delete(line);
          fn();
        });
      },
      originated: (uuid: string, destination: string, callerNumber: string, gateway: string, vars: Record<string, string>) => {
        const call = new EslCall(this.callHost, { caller: callerNumber, dialed: destination }, uuid, { gateway, vars });
        this.calls.set(call.uuid, call);
        return originatedLeg(call);
      },
    };
  }

  async start(): Promise<{ inboundPort: number }> {
    const server = net.createServer({ noDelay: true }, (sock) => {
      const s = new Session(acceptedConn(sock), this.sessionHost);
      this.sessions.add(s);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port || this.opts.inboundPort || 0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    // FreeSWITCH's scheduler: HEARTBEAT and RE_SCHEDULE every 20 s.
    this.heartbeat = setInterval(() => {
      const up = String(Math.floor((Date.now() - this.startedAt) / 1000));
      this.sendEvent({ "Up-Time": up, "Event-Info": "System Ready", "Session-Count": String(this.calls.size) }, undefined, "HEARTBEAT");
      this.sendEvent({ "Task-ID": "1", "Task-Desc": "heartbeat", "Task-Group": "core", "Task-Runtime": String(Math.floor(Date.now() / 1000) + 20) }, undefined, "RE_SCHEDULE");
    }, this.callHost.scale(20000));
    this.heartbeat.unref();
    return { inboundPort: this.port };
  }

  setTrunk(gateway: string, b: TrunkBehaviour): void {
    this.trunks[gateway] = b;
  }

  placeCall(spec: SimCallSpec): SimCallHandle {
    const call = new EslCall(this.callHost, spec);
    this.sessionCount++;
    this.calls.set(call.uuid, call);
    const d = deferred<SimCallResult>();
    this.waiters.set(call.uuid, d.resolve);
    const { host, port } = this.opts.agent;
    call.setSocketTarget(`${host}:${port}`);
    const sock = connectOutbound(host, port, this.onOutboundConnect, this.opts.transport) as Outbound;
    sock[kCall] = call;
    // The socket app gives up on an agent that does not accept the connection (5 s). One timer for
    // all connecting sockets (they are kept in deadline order) instead of a socket timeout each.
    sock[kDeadline] = performance.now() + CONNECT_TIMEOUT_MS;
    this.connecting.add(sock);
    this.armConnectTimer();
    return { uuid: call.uuid, done: d.promise };
  }

  /** Outbound sockets not connected yet, oldest (first deadline) first. */
  private readonly connecting = new Set<Outbound>();
  private connectTimer: NodeJS.Timeout | undefined;

  private armConnectTimer(): void {
    if (this.connectTimer || !this.connecting.size) return;
    const first = this.connecting.values().next().value as Outbound;
    this.connectTimer = setTimeout(this.connectTimeouts, Math.max(1, first[kDeadline] - performance.now()));
    this.connectTimer.unref();
  }

  private readonly connectTimeouts = (): void => {
    this.connectTimer = undefined;
    const now = performance.now();
    for (const sock of this.connecting) {
      if (sock[kDeadline] > now) break;
      this.connecting.delete(sock);
      // Still here: not connected (a connected call left the set in onOutboundConnect).
      sock.destroy(new Error("connect timeout"));
    }
    this.armConnectTimer();
  };

  // The connect of every outbound call (one function per simulator).
  private readonly onOutboundConnect = (c: Conn, e?: Error): void => {
    const sock = c as Outbound;
    const call = sock[kCall];
    this.connecting.delete(sock);
    if (e) {
      const { host, port } = this.opts.agent;
      this.opts.log?.(`outbound socket to ${host}:${port} failed: ${e.message}`);
      call.hangup("DESTINATION_OUT_OF_ORDER", false);
      return;
    }
    const s = new Session(sock, this.sessionHost, call);
    this.sessions.add(s);
    this.outbound.set(call.uuid, s);
  };

  private index(s: Session): void {
    this.global.delete(s);
    if (s.indexedUuid) this.unindex(s.indexedUuid, s);
    s.indexedUuid = s.uuidFilter;
    if (s.uuidFilter) {
      const had = this.byUuid.get(s.uuidFilter);
      if (!had || had === s) this.byUuid.set(s.uuidFilter, s);
      else if (had instanceof Session) this.byUuid.set(s.uuidFilter, new Set([had, s]));
      else had.add(s);
    } else this.global.add(s);
  }

  private unindex(uuid: string, s: Session): void {
    const had = this.byUuid.get(uuid);
    if (had === s) this.byUuid.delete(uuid);
    else if (had instanceof Set) had.delete(s);
  }

  private emit(call: EslCall, name: string, o?: EventOpts): void {
    // A delivery can close a session (slow-consumer kill), which hangs its call up and emits that
    // call's events from inside this emit: they render their own frames, and this event's come back.
    const outerPlain = this.plainFrame;
    const outerJson = this.jsonFrame;
    this.plainFrame = this.jsonFrame = undefined;
    const own = this.byUuid.get(call.uuid);
    if (own instanceof Session) this.offer(own, call, name, o);
    else if (own) for (const s of own) this.offer(s, call, name, o);
    if (this.global.size) for (const s of this.global) this.offer(s, call, name, o);
    this.plainFrame = outerPlain;
    this.jsonFrame = outerJson;
  }

  private offer(s: Session, call: EslCall, name: string, o: EventOpts | undefined): void {
    if (!s.wants(call, name)) return;
    if (s.format === "json") s.sendEventFrame((this.jsonFrame ??= call.ch.render("json", name, o)));
    else s.sendEventFrame((this.plainFrame ??= call.ch.render("plain", name, o)));
  }

  /** Actions waiting for their command's reply (api.ts afterReply), per command line. */
  private readonly afterReply = new Map<string, Array<(apiEvent?: () => void) => void>>();

  /** A command ran and its reply is out: its API event, or the action waiting for it to fire it. */
  private apiDone(line: string): void {
    const sp = line.indexOf(" ");
    const ev = () =>
      this.sendEvent({ "API-Command": sp < 0 ? line : line.slice(0, sp), "API-Command-Argument": sp < 0 ? "" : line.slice(sp + 1) }, undefined, "API");
    const q = this.afterReply.get(line);
    const fn = q?.shift();
    if (q && !q.length) this.afterReply.delete(line);
    if (fn) fn(ev);
    else ev();
  }

  private sendEvent(h: Record<string, string>, body: string | undefined, name: string, owner?: Session): void {
    const pairs = eventHead(this.sw, name.split(" ")[0] ?? name);
    for (const [k, v] of Object.entries(h)) if (k !== "event-name") pairs.push([k, v]);
    let plain: string | undefined;
    let json: string | undefined;
    const targets = new Set<Session>(this.global);
    if (owner) targets.add(owner);
    for (const s of targets) {
      if (!s.wants(undefined, pairs[0]![1], owner)) continue;
      if (s.format === "json") s.sendEventFrame((json ??= eventFrame("json", jsonEventBody(pairs, body))));
      else s.sendEventFrame((plain ??= eventFrame("plain", plainEventBody(pairs, body))));
    }
  }

  private sessionClosed(s: Session): void {
    this.sessions.delete(s);
    this.global.delete(s);
    if (s.indexedUuid) this.unindex(s.indexedUuid, s);
    const call = s.call;
    if (call && this.outbound.get(call.uuid) === s) {
      this.outbound.delete(call.uuid);
      // The socket app returns; with nothing after it in the dialplan the channel hangs up. Next
      // tick, as on the channel's own thread: a session closed while an event is being delivered
      // (slow-consumer kill) must not hang the call up in the middle of that delivery.
      if (!call.hungUp) process.nextTick(socketAppReturned, call);
    }
  }

  private destroyed(call: EslCall, r: SimCallResult): void {
    this.outbound.get(call.uuid)?.channelGone("destroyed", false);
    call.ch.release();
    this.calls.delete(call.uuid);
    this.byUuid.delete(call.uuid);
    const w = this.waiters.get(call.uuid);
    this.waiters.delete(call.uuid);
    w?.(r);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const s of [...this.sessions]) s.destroy();
    for (const c of [...this.calls.values()]) if (!c.hungUp) c.hangup("NORMAL_CLEARING", false);
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
