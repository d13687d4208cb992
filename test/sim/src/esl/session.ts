// One ESL socket on the switch side (inbound :8021 listener or outbound `socket` connection):
// command grammar, replies, subscriptions, linger/exit and the slow-consumer kill.
import { StringDecoder } from "node:string_decoder";
import type { EslCall, Msg } from "./call.ts";
import type { EventOpts } from "./channel.ts";
import { commandReply, disconnectNotice, type EslCommand, EslCommandReader, GOODBYE } from "./frames.ts";
import type { Conn, ConnOwner } from "./transport.ts";
import { newUuid } from "./uuid.ts";

function flushSession(s: Session): void {
  s.flush();
}

/**
 * The set of event names per `event` command text, shared by the sessions that sent it (every
 * call's agent subscribes the same way): one Set per subscription, not per call.
 */
const NO_NAMES: ReadonlySet<string> = new Set();
const namesBySubscription = new Map<string, ReadonlySet<string>>();

function sharedNames(names: string[]): ReadonlySet<string> {
  const key = names.join(" ");
  let set = namesBySubscription.get(key);
  if (!set) {
    // Names cut from the key (a new string), not the received ones: those may be slices that keep
    // the whole read alive for as long as the set lives.
    set = new Set(key.split(" ").filter(Boolean));
    if (namesBySubscription.size < 256) namesBySubscription.set(key, set);
  }
  return set;
}

/** A sendmsg execute reaching the channel after FreeSWITCH's delay. */
function deliverLater(call: EslCall, m: Msg): void {
  call.deliver(m);
}

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/**
 * C's atoi as FreeSWITCH reads a number header (glibc: strtol, clamped to long, then cast to int):
 * the leading integer, 0 when there is none; `99999999999999999999` is -1.
 */
export function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  let n = BigInt(m[1]!);
  if (n > LONG_MAX) n = LONG_MAX;
  if (n < LONG_MIN) n = LONG_MIN;
  return Number(BigInt.asIntN(32, n));
}

export interface SessionHost {
  password: string;
  scale(ms: number): number;
  call(uuid: string): EslCall | undefined;
  api(cmd: string, s: Session): Promise<string>;
  /** The command's reply is out (api) or about to be (bgapi's BACKGROUND_JOB): its API event. */
  apiDone(cmd: string): void;
  subscriptionsChanged(s: Session): void;
  sendEvent(headers: Record<string, string>, body: string | undefined, name: string, owner?: Session): void;
  closed(s: Session): void;
  slowConsumer: { queueLimit: number; maxLost: number };
  execDelayMs: number;
  log(s: string): void;
}

export class Session implements ConnOwner {
  authed: boolean;
  format: "plain" | "json" | "xml" = "plain";
  all = false;
  /** Subscribed event names; shared with every session that subscribed the same way until one changes its own. */
  private names: ReadonlySet<string> = NO_NAMES;
  uuidFilter?: string;
  /** The uuid this session is indexed under in the simulator's delivery map. */
  indexedUuid?: string;
  linger?: number; // undefined: no linger; -1: until exit; N seconds
  closed = false;
  private queued = 0;
  private lost = 0;
  private readonly reader = new EslCommandReader();

  constructor(
    readonly socket: Conn,
    readonly host: SessionHost,
    readonly call?: EslCall, // outbound: the controlled channel
  ) {
    this.authed = !!call;
    socket.owner = this;
    if (!call) this.write("Content-Type: auth/request\n\n");
  }

  /** Made when a read ends inside a UTF-8 sequence; from then on every read goes through it. */
  private decoder: StringDecoder | undefined;

  /** `n` bytes read into `d` (valid only during this call). */
  received(d: Buffer, n: number): void {
    // A read that ends on an ASCII byte ends on a character boundary (commands are ASCII lines,
    // a body may be UTF-8): decoded as it is, without a StringDecoder per connection.
    let s: string;
    if (this.decoder === undefined && n > 0 && d[n - 1]! < 0x80) s = d.toString("utf8", 0, n);
    else s = (this.decoder ??= new StringDecoder("utf8")).write(n === d.length ? d : d.subarray(0, n));
    for (const c of this.reader.push(s)) this.command(c);
  }

  drained(): void {
    this.queued = 0;
  }

  socketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.closed(this);
  }

  /** Output of the current tick (frames concatenated), written with one write (see flush). */
  private pending = "";

  /** Writes in one tick go out together (FreeSWITCH writes a burst of events the same way). */
  private out(s: string): void {
    if (this.pending === "") process.nextTick(flushSession, this);
    this.pending += s;
    // A burst larger than 64 KB goes out now, so back-pressure (writableNeedDrain) stays close to exact.
    // (At 16 KB a call's hangup burst, four JSON events with ~60 variables, took two writes.)
    if (this.pending.length >= 65536) this.flush();
  }

  flush(): void {
    const s = this.pending;
    if (s === "") return;
    this.pending = "";
    this.socket.write(s);
  }

  write(s: string): void {
    if (!this.closed) this.out(s);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.socket.end();
    this.host.closed(this);
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = "";
    this.socket.destroy();
    this.host.closed(this);
  }

  wants(call: EslCall | undefined, name: string, owner?: Session): boolean {
    if (!this.authed || this.closed || !(this.all || this.names.has(name))) return false;
    return !this.uuidFilter || call?.uuid === this.uuidFilter || owner === this;
  }

  /** Queue an event; past the queue limit events are lost, and past maxLost the listener is killed. */
  sendEventFrame(frame: string): void {
    if (this.closed) return;
    if (this.socket.needDrain) {
      if (this.queued >= this.host.slowConsumer.queueLimit) {
        if (++this.lost > this.host.slowConsumer.maxLost) {
          this.host.log("CRIT killed listener because of lost events");
          this.flush();
          this.socket.write(disconnectNotice("killed listener because of lost events\n"));
          this.destroySoon();
        }
        return;
      }
      this.queued++;
    }
    this.out(frame);
  }

  private destroySoon(): void {
    this.closed = true;
    this.socket.end();
    this.host.closed(this);
  }

  private goodbye(): void {
    const h: Array<[string, string]> = this.call
      ? [
          ["Controlled-Session-UUID", this.call.uuid],
          ["Content-Disposition", "disconnect"],
        ]
      : [];
    this.write(disconnectNotice(GOODBYE, h));
    this.close();
  }

  /** Outbound: the channel hung up (CHANNEL_HANGUP sent) or was destroyed (HANGUP_COMPLETE sent). */
  private lingerSent = false;

  channelGone(stage: "hangup" | "destroyed", remote: boolean): void {
    if (!this.call || this.closed || this.lingerSent) return;
    if (this.linger === undefined) {
      if (stage === "destroyed") this.goodbye();
      return;
    }
    // The linger notice lands right after CHANNEL_HANGUP for remote hangups, at the end otherwise
    // (both orders are recorded; drivers must not treat it as the end of the stream).
    if (stage === "hangup" && !remote) return;
    this.lingerSent = true;
    this.write(
      disconnectNotice("", [
        ["Controlled-Session-UUID", this.call.uuid],
        ["Content-Disposition", "linger"],
        ["Channel-Name", this.call.ch.profile.channelName],
        ["Linger-Time", String(this.linger)],
      ]),
    );
    if (this.linger >= 0) setTimeout(() => this.goodbye(), this.host.scale(this.linger * 1000));
  }

  private reply(text: string, extra?: Array<[string, string]>): void {
    this.write(commandReply(text, extra));
  }

  private command(c: EslCommand): void {
    if (this.closed) return;
    const sp = c.line.indexOf(" ");
    const verb = (sp < 0 ? c.line : c.line.slice(0, sp)).trim();
    const rest = sp < 0 ? "" : c.line.slice(sp + 1).trim();
    if (!this.authed) {
      if (verb === "auth" && rest === this.host.password) {
        this.authed = true;
        this.reply("+OK accepted");
        return;
      }
      if (verb === "auth") {
        this.reply("-ERR invalid");
        this.write(disconnectNotice(GOODBYE));
        this.close();
        return;
      }
      this.reply("-ERR command not found");
      return;
    }
    switch (verb) {
      case "connect":
        if (this.call) {
          this.write(this.call.ch.connectReply());
          return;
        }
        this.reply("-ERR command not found");
        return;
      case "myevents": {
        const [a, b] = rest.split(/\s+/).filter(Boolean);
        if (a === "plain" || a === "json" || a === "xml") this.format = a;
        const uuid = this.call ? this.call.uuid : a && !["plain", "json", "xml"].includes(a) ? a : b;
        if (!uuid) {
          this.reply("-ERR must specify uuid");
          return;
        }
        this.all = true;
        this.uuidFilter = uuid;
        this.host.subscriptionsChanged(this);
        this.reply("+OK Events Enabled");
        return;
      }
      case "event": {
        const parts = rest.split(/\s+/).filter(Boolean);
        let fmt = "plain";
        if (parts[0] === "plain" || parts[0] === "json" || parts[0] === "xml") fmt = parts.shift()!;
        this.format = fmt as Session["format"];
        const names = parts.filter((n) => n !== "ALL" && n !== "all");
        if (names.length < parts.length) this.all = true;
        if (this.names.size === 0) this.names = sharedNames(names);
        else if (names.some((n) => !this.names.has(n))) this.names = new Set([...this.names, ...names]);
        this.host.subscriptionsChanged(this);
        this.reply("+OK event listener enabled " + fmt);
        return;
      }
      case "nixevent": {
        const nixed = rest.split(/\s+/);
        this.names = new Set([...this.names].filter((n) => !nixed.includes(n)));
        if (rest.includes("ALL")) this.all = false;
        this.reply("+OK events nixed");
        return;
      }
      case "noevents":
        this.all = false;
        this.names = NO_NAMES;
        this.host.subscriptionsChanged(this);
        this.reply("+OK no longer listening for events");
        return;
      case "filter": {
        // Only `filter Unique-ID <uuid>` narrows delivery here (the common per-call form).
        const [h, v] = rest.split(/\s+/);
        if (h === "Unique-ID" && v) {
          // The controlled channel's own uuid string when it is that one: `v` is a slice of the
          // received text and would keep all of it alive for the session's life.
          this.uuidFilter = v === this.call?.uuid ? this.call.uuid : v;
          this.host.subscriptionsChanged(this);
        }
        this.reply("+OK filter added. [" + rest.replace(" ", "]=[") + "]");
        return;
      }
      case "linger": {
        const n = Number.parseInt(rest, 10);
        this.linger = Number.isFinite(n) && n > 0 ? n : -1;
        this.reply(this.linger > 0 ? `+OK will linger ${this.linger} seconds` : "+OK will linger");
        return;
      }
      case "nolinger":
        this.linger = undefined;
        this.reply("+OK will not linger");
        return;
      case "resume":
      case "divert_events":
      case "log":
      case "nolog":
        this.reply("+OK");
        return;
      case "exit":
        this.reply("+OK bye");
        this.goodbye();
        return;
      case "api":
        return void this.host.api(rest, this).then((out) => {
          this.write("Content-Type: api/response\nContent-Length: " + Buffer.byteLength(out) + "\n\n" + out);
          this.host.apiDone(rest);
        });
      case "bgapi": {
        const job = c.headers["job-uuid"] ?? newUuid();
        this.reply("+OK Job-UUID: " + job, [["Job-UUID", job]]);
        this.host.api(rest, this).then((out) => {
          this.host.apiDone(rest);
          this.host.sendEvent({ "Job-UUID": job, "Job-Command": rest.split(" ")[0] ?? "", "Job-Command-Arg": rest.split(" ").slice(1).join(" ") }, out, "BACKGROUND_JOB", this);
        });
        return;
      }
      case "sendevent":
        this.host.sendEvent(Object.fromEntries(Object.entries(c.headers).filter(([k]) => k !== "content-length")), c.body, rest || "CUSTOM");
        this.reply("+OK " + newUuid());
        return;
      case "sendmsg":
        this.sendmsg(rest, c);
        return;
      default:
        this.reply("-ERR command not found");
        return;
    }
  }

  private sendmsg(uuidArg: string, c: EslCommand): void {
    const uuid = uuidArg || this.call?.uuid || c.headers["unique-id"] || "";
    // The controlled channel stays addressable after it is gone: +OK, and nothing follows.
    const call = this.call?.uuid === uuid ? this.call : this.host.call(uuid);
    if (!call) {
      this.reply("-ERR invalid session id [" + uuid + "]");
      return;
    }
    this.reply("+OK");
    const h = c.headers;
    const cmd = h["call-command"] ?? "";
    const delay = this.host.scale(this.host.execDelayMs);
    if (cmd === "execute") {
      const app = h["execute-app-name"] ?? "";
      const arg = c.body ?? h["execute-app-arg"] ?? "";
      // FreeSWITCH runs the application `loops` times in turn (0: not at all; negative: while the
      // channel lives), each run after the last completes; see EslCall#complete.
      const loops = h.loops === undefined ? 1 : atoi(h.loops);
      if (loops === 0) return;
      const lock = h["event-lock"] === "true";
      const euuid = h["event-uuid"] ?? newUuid();
      setTimeout(deliverLater, delay, call, { app, arg, uuid: euuid, lock, loops });
    } else if (cmd === "hangup") {
      const cause = h["hangup-cause"] ?? "NORMAL_CLEARING";
      setTimeout(() => {
        if (call.hungUp) return;
        call.hangupBy = "agent";
        call.hangup(cause, false);
      }, delay);
    }
  }
}

export type { EventOpts };
