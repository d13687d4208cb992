// A channel's header block (Channel-State … Caller-* … Other-Leg-*) as `plain` text or as JSON
// members, written straight from the channel: the parts that never change for a profile are
// encoded once, the rest (states, times, callee) per rendering. Same bytes as rendering
// Channel#channelPairs (for JSON: as jsonMembers does, a repeated name keeps its first place).
//
// A rendering is one string (runs of cached text concatenated) with its UTF-8 byte count summed
// on the way: the session's write flattens it once.
import { type Channel, type Profile, sameTimes, type Times } from "./channel.ts";
import { fsUrlEncode, jsonString } from "./frames.ts";

export const STATE_NUM: Record<string, string> = { CS_EXECUTE: "4", CS_HANGUP: "10", CS_REPORTING: "11", CS_DESTROY: "12" };

/** One header: `K: v\n` (plain, URL-encoded) or `,"K":"v"` (JSON member with its leading comma). */
type Line = (k: string, v: string) => string;

const plainKey = (k: string) => k + ": ";
const jsonKey = (k: string) => "," + JSON.stringify(k) + ":";
const plainLine: Line = (k, v) => k + ": " + fsUrlEncode(v) + "\n";
/** `,"K":` per header name (a fixed set), so a rendering only stringifies the values. */
const jsonKeys = new Map<string, string>();
const jsonLine: Line = (k, v) => {
  let key = jsonKeys.get(k);
  if (key === undefined) jsonKeys.set(k, (key = jsonKey(k)));
  return key + jsonString(v);
};

/** Constant runs of lines per format and prefix; `times` are keys (a number line is key + pre + n + post). */
interface Consts {
  times: string[];
  calleeName: string;
  calleeNumber: string;
  transfer: string;
  bridged: string;
  tail: string;
  /** Keys of the profile's own lines (a line is key + encoded value), and its constant lines. */
  directions: string;
  username: string;
  dialplan: string;
  callerName: string;
  callerNumber: string;
  origName: string;
  origNumber: string;
  network: string;
  ani: string;
  destination: string;
  uniqueId: string;
  source: string;
  context: string;
  channelName: string;
  profileIndex: string;
}

const TIME_KEYS = [
  "Profile-Created-Time",
  "Channel-Created-Time",
  "Channel-Answered-Time",
  "Channel-Progress-Time",
  "Channel-Progress-Media-Time",
  "Channel-Hangup-Time",
];

/** Per format: constant runs of the channel block and caches of the lines that take few values. */
interface Fixed {
  /** Plain text is URL-encoded, hence ASCII: its length is its byte count. */
  ascii: boolean;
  line: Line;
  /** A value as it follows its key: URL-encoded with the newline (plain), or a JSON string. */
  enc: (v: string) => string;
  key: (k: string) => string;
  /** A number's line: key + pre + digits + post (digits need no encoding in either format). */
  pre: string;
  post: string;
  directions: string;
  codecs: string;
  otherType: string;
  prefixes: Map<string, Consts>;
  /** Channel-State, Channel-Call-State and Channel-State-Number lines per state and call state. */
  states: Map<string, Map<string, string>>;
  answer: Map<string, string>;
  cause: Map<string, string>;
}

function fixed(ascii: boolean, line: Line, enc: (v: string) => string, key: (k: string) => string, pre: string, post: string): Fixed {
  return {
    ascii,
    line,
    enc,
    key,
    pre,
    post,
    directions: line("Call-Direction", "inbound") + line("Presence-Call-Direction", "inbound") + line("Channel-HIT-Dialplan", "true"),
    codecs:
      line("Channel-Read-Codec-Name", "PCMU") +
      line("Channel-Read-Codec-Rate", "8000") +
      line("Channel-Read-Codec-Bit-Rate", "64000") +
      line("Channel-Write-Codec-Name", "PCMU") +
      line("Channel-Write-Codec-Rate", "8000") +
      line("Channel-Write-Codec-Bit-Rate", "64000"),
    otherType: line("Other-Type", "originatee"),
    prefixes: new Map(),
    states: new Map(),
    answer: new Map(),
    cause: new Map(),
  };
}

const plainEnc = (v: string) => fsUrlEncode(v) + "\n";
const PLAIN = fixed(true, plainLine, plainEnc, plainKey, "", "\n");
const JSON_ = fixed(false, jsonLine, jsonString, jsonKey, '"', '"');

/** A cached line of a header whose values are few (states, causes): flat, shared by all channels. */
function cachedLine(f: Fixed, cache: Map<string, string>, k: string, v: string): string {
  let s = cache.get(v);
  if (s === undefined) {
    s = [f.line(k, v)].join("");
    if (cache.size < 256) cache.set(v, s);
  }
  return s;
}

function stateLines(f: Fixed, state: string, callState: string): string {
  let m = f.states.get(state);
  if (!m) f.states.set(state, (m = new Map()));
  let s = m.get(callState);
  if (s === undefined) {
    s = [f.line("Channel-State", state), f.line("Channel-Call-State", callState), f.line("Channel-State-Number", STATE_NUM[state] ?? "4")].join("");
    if (m.size < 64) m.set(callState, s);
  }
  return s;
}

function constsOf(f: Fixed, prefix: string): Consts {
  let c = f.prefixes.get(prefix);
  if (!c) {
    const l = f.line;
    const k = f.key;
    c = {
      directions: l(prefix + "Direction", "inbound") + l(prefix + "Logical-Direction", "inbound"),
      username: k(prefix + "Username"),
      dialplan: l(prefix + "Dialplan", "XML"),
      callerName: k(prefix + "Caller-ID-Name"),
      callerNumber: k(prefix + "Caller-ID-Number"),
      origName: k(prefix + "Orig-Caller-ID-Name"),
      origNumber: k(prefix + "Orig-Caller-ID-Number"),
      network: l(prefix + "Network-Addr", "192.0.2.10"),
      ani: k(prefix + "ANI"),
      destination: k(prefix + "Destination-Number"),
      uniqueId: k(prefix + "Unique-ID"),
      source: l(prefix + "Source", "mod_sofia"),
      context: k(prefix + "Context"),
      channelName: k(prefix + "Channel-Name"),
      profileIndex: l(prefix + "Profile-Index", "1"),
      times: TIME_KEYS.map((t) => f.key(prefix + t) + f.pre),
      calleeName: prefix + "Callee-ID-Name",
      calleeNumber: prefix + "Callee-ID-Number",
      transfer: l(prefix + "Channel-Transfer-Time", "0") + l(prefix + "Channel-Resurrect-Time", "0"),
      bridged: f.key(prefix + "Channel-Bridged-Time") + f.pre,
      tail:
        l(prefix + "Channel-Last-Hold", "0") +
        l(prefix + "Channel-Hold-Accum", "0") +
        l(prefix + "Screen-Bit", "true") +
        l(prefix + "Privacy-Hide-Name", "false") +
        l(prefix + "Privacy-Hide-Number", "false"),
    };
    f.prefixes.set(prefix, c);
  }
  return c;
}

/** The UTF-8 byte count of text in format `f`. */
function bytesOf(f: Fixed, s: string): number {
  return f.ascii ? s.length : Buffer.byteLength(s);
}

/**
 * A rendering being assembled: one string and its UTF-8 byte count. Text added with `ascii` is
 * ASCII (names, states, digits, URL-encoded values); other text comes with its byte count.
 */
export class Rendering {
  s = "";
  bytes = 0;

  ascii(s: string): void {
    this.s += s;
    this.bytes += s.length;
  }

  text(s: string, bytes: number): void {
    this.s += s;
    this.bytes += bytes;
  }
}

/**
 * A profile's text: its unchanging lines (before the callee lines, and from Network-Addr to
 * Profile-Index), the callee lines and the time lines, each with its UTF-8 byte count. Plain
 * fields, no object per text: whatever a call keeps lives as long as the call, and every object
 * it keeps is copied twice by the young-generation GC.
 */
class Static implements Times {
  head: string;
  headBytes: number;
  mid: string;
  midBytes: number;
  /** The callee lines last rendered, for which name and number. */
  calleeName = "";
  calleeNumber = "";
  callee = "";
  calleeBytes = 0;
  /** Profile-Created-Time … Privacy-Hide-Number, and the times it was rendered from (they change a few times a call). */
  times = "";
  timesBytes = 0;
  createdUs = 0;
  answeredUs = 0;
  progressUs = 0;
  progressMediaUs = 0;
  hangupUs = 0;
  bridgedUs = 0;
  /** The same times as digits (a microsecond timestamp is a double: its digits are worth keeping). */
  createdS = "";
  answeredS = "0";
  progressS = "0";
  mediaS = "0";
  hangupS = "0";
  bridgedS = "0";

  constructor(
    readonly p: Profile,
    f: Fixed,
    c: Consts,
    withIndex: boolean,
  ) {
    const e = f.enc;
    const name = e(p.callerName);
    const num = e(p.callerNumber);
    this.head = [c.directions, c.username, p.username === p.callerNumber ? num : e(p.username), c.dialplan, c.callerName, name, c.callerNumber, num, c.origName, name, c.origNumber, num].join("");
    this.headBytes = bytesOf(f, this.head);
    const mid = [c.network, c.ani, num, c.destination, e(p.destination), c.uniqueId, e(p.uuid), c.source, c.context, e(p.context), c.channelName, e(p.channelName)];
    if (withIndex) mid.push(c.profileIndex);
    this.mid = mid.join("");
    this.midBytes = bytesOf(f, this.mid);
  }
}

export class HeaderText {
  /** The profiles rendered so far: with Profile-Index (Caller-, Channel-) and without (Other-Leg-). */
  private indexed: Static | undefined;
  private indexedPrefix = "";
  private unindexed: Static | undefined;
  private unindexedPrefix = "";
  private readonly f: Fixed;
  /** Channel-Name … Channel-Call-UUID (they never change for a channel), for `identName`. */
  private ident = "";
  private identBytes = 0;
  private identName = "";
  /** Bridge-A/B-Unique-ID lines, for `bridgeUuid`. */
  private bridge = "";
  private bridgeBytes = 0;
  private bridgeUuid = "";

  constructor(
    private readonly ch: Channel,
    format: "plain" | "json",
  ) {
    this.f = format === "json" ? JSON_ : PLAIN;
  }

  private static(prefix: string, p: Profile, withIndex: boolean, c: Consts): Static {
    const st = withIndex ? this.indexed : this.unindexed;
    if (st?.p === p && (withIndex ? this.indexedPrefix : this.unindexedPrefix) === prefix) return st;
    const made = new Static(p, this.f, c, withIndex);
    if (withIndex) {
      this.indexed = made;
      this.indexedPrefix = prefix;
    } else {
      this.unindexed = made;
      this.unindexedPrefix = prefix;
    }
    return made;
  }

  /** Channel#profilePairs rendered into `r`. */
  profile(r: Rendering, prefix: string, p: Profile, withIndex: boolean): void {
    const f = this.f;
    const c = constsOf(f, prefix);
    const st = this.static(prefix, p, withIndex, c);
    r.text(st.head, st.headBytes);
    const callee = p.callee;
    if (callee) {
      if (st.calleeName !== callee.name || st.calleeNumber !== callee.number || !st.callee) {
        st.calleeName = callee.name;
        st.calleeNumber = callee.number;
        st.callee = [f.line(c.calleeName, callee.name), f.line(c.calleeNumber, callee.number)].join("");
        st.calleeBytes = bytesOf(f, st.callee);
      }
      r.text(st.callee, st.calleeBytes);
    }
    r.text(st.mid, st.midBytes);
    // The time lines are kept too, and rebuilt only when a time changed: an event renders them as
    // a block instead of formatting eight microsecond timestamps (doubles, not small integers).
    if (st.times === "" || !sameTimes(st, p)) {
      // Only a time that changed is formatted again (one or two per event).
      if (st.createdUs !== p.createdUs || st.createdS === "") st.createdS = String((st.createdUs = p.createdUs));
      if (st.answeredUs !== p.answeredUs) st.answeredS = String((st.answeredUs = p.answeredUs));
      if (st.progressUs !== p.progressUs) st.progressS = String((st.progressUs = p.progressUs));
      if (st.progressMediaUs !== p.progressMediaUs) st.mediaS = String((st.progressMediaUs = p.progressMediaUs));
      if (st.hangupUs !== p.hangupUs) st.hangupS = String((st.hangupUs = p.hangupUs));
      if (st.bridgedUs !== p.bridgedUs) st.bridgedS = String((st.bridgedUs = p.bridgedUs));
      const t = c.times;
      const post = f.post;
      // biome-ignore format: one line per header
      st.times = [
        t[0], st.createdS, post,
        t[1], st.createdS, post,
        t[2], st.answeredS, post,
        t[3], st.progressS, post,
        t[4], st.mediaS, post,
        t[5], st.hangupS, post,
        c.transfer,
        c.bridged, st.bridgedS, post,
        c.tail,
      ].join("");
      // Keys, digits and constants: ASCII.
      st.timesBytes = st.times.length;
    }
    r.text(st.times, st.timesBytes);
  }

  /** Channel#channelPairs rendered into `r` (JSON: members, each with a leading comma). */
  channel(r: Rendering, bridge: boolean, name: string): void {
    const ch = this.ch;
    const f = this.f;
    const l = f.line;
    if (bridge && ch.other) {
      if (this.bridgeUuid !== ch.other.uuid || !this.bridge) {
        this.bridgeUuid = ch.other.uuid;
        this.bridge = [l("Bridge-A-Unique-ID", ch.uuid), l("Bridge-B-Unique-ID", ch.other.uuid)].join("");
        this.bridgeBytes = bytesOf(f, this.bridge);
      }
      r.text(this.bridge, this.bridgeBytes);
    }
    const cause = ch.hangupCause ? cachedLine(f, f.cause, "Hangup-Cause", ch.hangupCause) : "";
    const causeBytes = bytesOf(f, cause);
    // HANGUP_COMPLETE carries Hangup-Cause up front; other events after Answer-State. Plain repeats
    // it after Answer-State; in JSON a repeated name keeps its first place (the value is the same).
    const early = name === "CHANNEL_HANGUP_COMPLETE";
    if (early) r.text(cause, causeBytes);
    const chName = ch.profile.channelName;
    if (this.identName !== chName || this.ident === "") {
      this.identName = chName;
      this.ident = [l("Channel-Name", chName), l("Unique-ID", ch.uuid), f.directions, l("Channel-Call-UUID", ch.uuid)].join("");
      this.identBytes = bytesOf(f, this.ident);
    }
    r.ascii(stateLines(f, ch.state, ch.callState));
    r.text(this.ident, this.identBytes);
    r.ascii(cachedLine(f, f.answer, "Answer-State", ch.answerState));
    if (!(early && f === JSON_)) r.text(cause, causeBytes);
    r.ascii(f.codecs);
    this.profile(r, "Caller-", ch.profile, true);
    if (ch.other) {
      r.ascii(f.otherType);
      this.profile(r, "Other-Leg-", ch.other, false);
    }
  }
}
