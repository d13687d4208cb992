// A simulated FreeSWITCH channel: its profile, variables and the events it emits, with the
// header names and order recorded from FreeSWITCH 1.10.12.
import { eventHead, jsonHead, jsonHeadAscii, plainHead } from "./eventhead.ts";
import { eventFrame, fsUrlEncode, jsonEventBody, jsonString, plainEventBody } from "./frames.ts";
import { Rendering, renderChannel, renderProfile, STATE_NUM } from "./headertext.ts";
import { GATEWAY_HOST, OutLeg } from "./outleg.ts";
import { identPairs, type Leg, legFits, legOf, newProfile, type Profile } from "./profile.ts";
import { newUuid } from "./uuid.ts";
import { VarStore } from "./vars.ts";

export { eventHead };
export type { Profile, Times } from "./profile.ts";

export interface SwitchInfo {
  coreUuid: string;
  hostname: string;
  nextSeq(): number;
}

type Pairs = Array<[string, string]>;

/**
 * Channels holding rendered text: their channel blocks and variables. Text is kept only until the
 * current callback (timer, socket read) is done: the events of one burst share it, and it never
 * lives long enough for a young-generation GC to copy it. A call lives 1-2 s and its events are
 * 50 ms-1 s apart, so text kept until the next event would be copied twice and promoted, and the
 * state, times or variables change between almost every event anyway: measured (2026-12-07), the
 * ~8 KB of text a call kept cost more GC (~4.5 µs per KB) than rendering it again per burst. Not
 * until the loop turn's end (setImmediate): an overloaded turn runs for longer than the time
 * between two scavenges, and text kept for it was promoted all the same.
 */
const withBlocks: Channel[] = [];

function dropBlocks(): void {
  for (const c of withBlocks) c.dropBlocks();
  withBlocks.length = 0;
}

export interface AppInfo {
  name: string;
  data?: string;
  response?: string;
  uuid: string;
}

export interface EventOpts {
  app?: AppInfo;
  noVars?: boolean;
  bridge?: boolean;
  /**
   * Headers before the channel block (CHANNEL_CALLSTATE's Original-Channel-Call-State, CALL_UPDATE's
   * Direction) and after it (CODEC's lowercase codec lines). Originated legs only: they are
   * rendered from their pairs.
   */
  before?: Pairs;
  after?: Pairs;
}

export class Channel {
  readonly uuid: string;
  /** Variables in FreeSWITCH's order (a bridged call ends with ~55). */
  private readonly vars = new VarStore(64);
  state = "CS_EXECUTE";
  callState = "RINGING";
  answerState = "ringing";
  hangupCause?: string;
  readonly profile: Profile;
  other?: Profile;
  /** This callback's channel blocks (see withBlocks). */
  private chanPlain?: Block;
  private chanJson?: Block;
  private holdsBlocks = false;
  /** A Channel-State-Number that lags its name (an originated leg's first events: recorded CS_NONE / 1, CS_INIT / 1, CS_ROUTING / 2). */
  stateNum: string | undefined = undefined;
  /** Set for an originated leg (rendered from its pairs: rare, never on the benchmarks' path). */
  readonly out: OutLeg | undefined;

  /** Forget this callback's rendered text (blocks and variables). */
  dropBlocks(): void {
    this.holdsBlocks = false;
    this.chanPlain = this.chanJson = undefined;
    this.vars.release();
  }

  private keepBlocks(): void {
    if (this.holdsBlocks) return;
    this.holdsBlocks = true;
    if (!withBlocks.length) process.nextTick(dropBlocks);
    withBlocks.push(this);
  }

  constructor(
    readonly sw: SwitchInfo,
    p: { callerNumber: string; callerName: string; destination: string; uuid?: string; out?: { gateway: string; vars: Record<string, string> } },
  ) {
    this.uuid = p.uuid ?? newUuid();
    if (p.out) {
      const d = p.destination;
      this.profile = newProfile(this.uuid, "", p.out.vars.origination_caller_id_name ?? "", p.callerNumber, d, "", "default", { name: "Outbound Call", number: d });
      this.out = new OutLeg(p.out.gateway, p.callerNumber, this.vars, this.profile);
      this.out.created(String(sw.nextSeq()), p.out.vars);
      return;
    }
    this.out = undefined;
    this.profile = newProfile(this.uuid, p.callerNumber, p.callerName, p.callerNumber, p.destination, "@192.0.2.10:5060", "public", undefined);
    const callId = newUuid("@192.0.2.10");
    const v = this.vars;
    v.set("direction", "inbound");
    v.set("uuid", this.uuid);
    v.set("session_id", String(sw.nextSeq()));
    v.set("sip_from_user", p.callerNumber);
    v.set("sip_from_uri", p.callerNumber + "@192.0.2.10");
    v.set("sip_from_host", "192.0.2.10");
    v.set("channel_name", this.profile.channelName);
    v.set("sip_call_id", callId);
    v.set("sip_network_ip", "192.0.2.10");
    v.set("sip_network_port", "5060");
    v.set("sofia_profile_name", "external");
    v.set("sip_from_display", p.callerName);
    v.set("sip_req_user", p.destination);
    v.set("sip_to_user", p.destination);
    v.set("sip_to_uri", p.destination + "@192.0.2.2");
    v.set("read_codec", "PCMU");
    v.set("write_codec", "PCMU");
    v.set("endpoint_disposition", "RECEIVED");
    v.set("DP_MATCH", "ARRAY::" + p.destination + "|:" + p.destination);
    v.set("call_uuid", this.uuid);
  }

  /**
   * Channel-State-Number: FreeSWITCH writes the channel's state there and the running state's name
   * in Channel-State, so between a hangup and the state machine's next turn the events read
   * CS_EXECUTE / 10 (every recording).
   */
  get stateNumber(): string {
    if (this.stateNum !== undefined) return this.stateNum;
    const n = STATE_NUM[this.state] ?? "4";
    return this.answerState === "hangup" && Number(n) < 10 ? "10" : n;
  }

  /** The channel is destroyed: its cached renderings are dropped. */
  release(): void {
    this.dropBlocks();
  }

  setVar(k: string, v: string | undefined): void {
    this.vars.set(k, v);
  }

  /** Sets a variable again to its own value: it moves to the end (VarStore#renew). */
  renewVar(k: string): void {
    this.vars.renew(k);
  }

  /** Pushes onto a stacked variable (VarStore#push). */
  pushVar(k: string, v: string): void {
    this.vars.push(k, v);
  }

  getVar(k: string): string | undefined {
    return this.vars.get(k);
  }

  private profilePairs(prefix: string, p: Profile, withIndex: boolean): Pairs {
    if (this.out && p === this.profile) return this.timePairs(prefix, p, withIndex, this.out.profilePairs(prefix));
    const out: Pairs = [
      [prefix + "Direction", prefix === "Other-Leg-" ? "outbound" : "inbound"],
      [prefix + "Logical-Direction", "inbound"],
      [prefix + "Username", p.username],
      [prefix + "Dialplan", "XML"],
      [prefix + "Caller-ID-Name", p.callerName],
      [prefix + "Caller-ID-Number", p.callerNumber],
      [prefix + "Orig-Caller-ID-Name", p.callerName],
      [prefix + "Orig-Caller-ID-Number", p.callerNumber],
    ];
    if (p.callee) out.push([prefix + "Callee-ID-Name", p.callee.name], [prefix + "Callee-ID-Number", p.callee.number]);
    out.push([prefix + "Network-Addr", prefix === "Other-Leg-" ? GATEWAY_HOST : "192.0.2.10"], ...identPairs(prefix, p, p.callerNumber, "mod_sofia"));
    return this.timePairs(prefix, p, withIndex, out);
  }

  /** The rest of a profile: Profile-Index, the times and the privacy flags. */
  private timePairs(prefix: string, p: Profile, withIndex: boolean, out: Pairs): Pairs {
    if (withIndex) out.push([prefix + "Profile-Index", "1"]);
    out.push(
      [prefix + "Profile-Created-Time", String(p.createdUs)],
      [prefix + "Channel-Created-Time", String(p.createdUs)],
      [prefix + "Channel-Answered-Time", String(p.answeredUs)],
      [prefix + "Channel-Progress-Time", String(p.progressUs)],
      [prefix + "Channel-Progress-Media-Time", String(p.progressMediaUs)],
      [prefix + "Channel-Hangup-Time", String(p.hangupUs)],
      [prefix + "Channel-Transfer-Time", "0"],
      [prefix + "Channel-Resurrect-Time", "0"],
      [prefix + "Channel-Bridged-Time", String(p.bridgedUs)],
      [prefix + "Channel-Last-Hold", "0"],
      [prefix + "Channel-Hold-Accum", "0"],
      [prefix + "Screen-Bit", "true"],
      [prefix + "Privacy-Hide-Name", "false"],
      [prefix + "Privacy-Hide-Number", "false"],
    );
    return out;
  }

  /** Channel-State … Caller-* … Other-Leg-* (no variables). */
  private channelPairs(bridge: boolean, name = ""): Pairs {
    const out: Pairs = [];
    if (bridge && this.other) out.push(["Bridge-A-Unique-ID", this.uuid], ["Bridge-B-Unique-ID", this.other.uuid]);
    // HANGUP_COMPLETE carries Hangup-Cause up front; other events after Answer-State.
    const early = name === "CHANNEL_HANGUP_COMPLETE";
    if (this.hangupCause && early) out.push(["Hangup-Cause", this.hangupCause]);
    out.push(
      ["Channel-State", this.state],
      ["Channel-Call-State", this.callState],
      ["Channel-State-Number", this.stateNumber],
      ["Channel-Name", this.profile.channelName],
      ["Unique-ID", this.uuid],
      ["Call-Direction", this.out ? "outbound" : "inbound"],
      ["Presence-Call-Direction", this.out ? "outbound" : "inbound"],
      ["Channel-HIT-Dialplan", this.out && !this.out.flipped ? "false" : "true"],
      ["Channel-Call-UUID", this.uuid],
      ["Answer-State", this.answerState],
    );
    if (this.hangupCause) out.push(["Hangup-Cause", this.hangupCause]);
    // An originated leg has no codec before its media is up.
    if (!this.out || this.out.media)
      out.push(
      ["Channel-Read-Codec-Name", "PCMU"],
      ["Channel-Read-Codec-Rate", "8000"],
      ["Channel-Read-Codec-Bit-Rate", "64000"],
      ["Channel-Write-Codec-Name", "PCMU"],
      ["Channel-Write-Codec-Rate", "8000"],
      ["Channel-Write-Codec-Bit-Rate", "64000"],
    );
    for (const p of this.profilePairs("Caller-", this.profile, true)) out.push(p);
    if (this.other) {
      out.push(["Other-Type", "originatee"]);
      for (const p of this.profilePairs("Other-Leg-", this.other, false)) out.push(p);
    }
    return out;
  }

  private varPairs(): Pairs {
    return this.vars.pairs();
  }

  private appPairs(app: AppInfo): Pairs {
    const out: Pairs = [["Application", app.name]];
    if (app.data) out.push(["Application-Data", app.data]);
    if (app.response !== undefined) out.push(["Application-Response", app.response]);
    out.push(["Application-UUID", app.uuid]);
    return out;
  }

  /** All headers of an event, in FreeSWITCH's order. */
  eventPairs(name: string, o: EventOpts = {}): Pairs {
    const out = eventHead(this.sw, name);
    if (o.before) for (const p of o.before) out.push(p);
    for (const p of this.channelPairs(!!o.bridge, name)) out.push(p);
    if (o.after) for (const p of o.after) out.push(p);
    if (!o.noVars) for (const p of this.varPairs()) out.push(p);
    if (o.app) for (const p of this.appPairs(o.app)) out.push(p);
    return out;
  }

  /** The headers of the `connect` reply (CHANNEL_DATA), in FreeSWITCH's order: the reference for connectReply. */
  connectPairs(): Pairs {
    const out = eventHead(this.sw, "CHANNEL_DATA");
    for (const p of this.profilePairs("Channel-", this.profile, true)) out.push(p);
    for (const p of this.channelPairs(false)) out.push(p);
    for (const p of this.varPairs()) out.push(p);
    return out;
  }

  /** A channel block and what it was rendered from: it only changes with state, times and legs. */
  private block(r: Rendering, name: string, o: EventOpts): Block {
    return {
      s: r.s,
      bytes: r.bytes,
      early: name === "CHANNEL_HANGUP_COMPLETE",
      bridge: !!o.bridge,
      state: this.state,
      callState: this.callState,
      answerState: this.answerState,
      cause: this.hangupCause,
      caller: legOf(this.profile),
      other: this.other && legOf(this.other),
    };
  }

  /** Whether a cached block still renders this event: same event kind, states, legs, callees and times. */
  private blockFits(b: Block, name: string, o: EventOpts): boolean {
    return (
      b.early === (name === "CHANNEL_HANGUP_COMPLETE") &&
      b.bridge === !!o.bridge &&
      b.state === this.state &&
      b.callState === this.callState &&
      b.answerState === this.answerState &&
      b.cause === this.hangupCause &&
      legFits(b.caller, this.profile) &&
      (b.other === undefined ? this.other === undefined : this.other !== undefined && legFits(b.other, this.other))
    );
  }

  /**
   * A whole ESL event frame as one string: the outer headers and event head, the channel block
   * (shared by the events of one callback with the same state), the variables (vars.ts), then the
   * application headers.
   */
  render(kind: "plain" | "json", name: string, o: EventOpts = {}): string {
    if (this.out) return eventFrame(kind, kind === "json" ? jsonEventBody(this.eventPairs(name, o)) : plainEventBody(this.eventPairs(name, o)));
    if (kind === "json") return this.renderJson(name, o);
    const head = plainHead(this.sw, name);
    this.keepBlocks();
    if (!this.chanPlain || !this.blockFits(this.chanPlain, name, o)) {
      const r = new Rendering();
      renderChannel(r, this, false, !!o.bridge, name);
      this.chanPlain = this.block(r, name, o);
    }
    let tail = "";
    if (o.app) for (const [k, v] of this.appPairs(o.app)) tail += k + ": " + fsUrlEncode(v) + "\n";
    tail += "\n";
    // head and tail are ASCII (names are constants, values URL-encoded): length is their byte count.
    const vars = o.noVars ? "" : this.vars.render(false);
    const len = head.length + this.chanPlain.bytes + (o.noVars ? 0 : this.vars.bytes) + tail.length;
    return "Content-Length: " + len + "\nContent-Type: text/event-plain\n\n" + head + this.chanPlain.s + vars + tail;
  }

  /**
   * The JSON object text, equal to JSON.stringify of the pairs as an object (a repeated name keeps
   * its first position and its last value), built from cached fragments.
   */
  private renderJson(name: string, o: EventOpts): string {
    this.keepBlocks();
    if (!this.chanJson || !this.blockFits(this.chanJson, name, o)) {
      const r = new Rendering();
      renderChannel(r, this, true, !!o.bridge, name);
      this.chanJson = this.block(r, name, o);
    }
    const withVars = !o.noVars && this.vars.size > 0;
    const vars = withVars ? this.vars.render(true) : "";
    const head = "{" + jsonHead(this.sw, name);
    const headBytes = jsonHeadAscii ? head.length : Buffer.byteLength(head);
    const tail = o.app ? appJson(o.app) : "}";
    const len = headBytes + this.chanJson.bytes + (withVars ? this.vars.bytes : 0) + (o.app ? Buffer.byteLength(tail) : 1);
    return "Content-Length: " + len + "\nContent-Type: text/event-json\n\n" + head + this.chanJson.s + vars + tail;
  }

  /** The `connect` reply: the whole channel as URL-encoded headers, no Content-Length. */
  connectReply(): string {
    // Rendered once per call: nothing of it is kept (variables uncached).
    const r = new Rendering();
    r.ascii(plainHead(this.sw, "CHANNEL_DATA"));
    renderProfile(r, false, "Channel-", this.profile, true);
    renderChannel(r, this, false, false, "");
    return r.s + this.vars.render(false, true) + "Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n";
  }
}

/** A rendered channel block, its UTF-8 byte count and what it was rendered from. */
interface Block {
  s: string;
  bytes: number;
  early: boolean;
  bridge: boolean;
  state: string;
  callState: string;
  answerState: string;
  cause: string | undefined;
  caller: Leg;
  other: Leg | undefined;
}

/** The application headers of Channel#appPairs as JSON members (distinct names), and the closing brace. */
function appJson(app: AppInfo): string {
  let s = ',"Application":' + jsonString(app.name);
  if (app.data) s += ',"Application-Data":' + jsonString(app.data);
  if (app.response !== undefined) s += ',"Application-Response":' + jsonString(app.response);
  return s + ',"Application-UUID":' + jsonString(app.uuid) + "}";
}
