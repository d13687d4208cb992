// A channel's header block (Channel-State … Caller-* … Other-Leg-*) as `plain` text or as JSON
// members, written straight from the channel: the parts that never change for a profile are
// encoded once, the rest (states, times, callee) per rendering. Same bytes as rendering
// Channel#channelPairs (for JSON: as jsonMembers does, a repeated name keeps its first place).
import type { Channel, Profile } from "./channel.ts";
import { fsUrlEncode } from "./frames.ts";

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
  return key + JSON.stringify(v);
};

/** Constant runs of lines per format and prefix; `times` are keys (a number line is key + pre + n + post). */
interface Consts {
  /** The statics cache key of a profile with Profile-Index (`prefix#`). */
  indexed: string;
  times: string[];
  calleeName: string;
  calleeNumber: string;
  transfer: string;
  bridged: string;
  tail: string;
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
  line: Line;
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

function fixed(line: Line, key: (k: string) => string, pre: string, post: string): Fixed {
  return {
    line,
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

const PLAIN = fixed(plainLine, plainKey, "", "\n");
const JSON_ = fixed(jsonLine, jsonKey, '"', '"');

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
    c = {
      indexed: prefix + "#",
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

/** A profile's unchanging lines: before the callee lines, and from Network-Addr to Profile-Index. */
interface Static {
  p: Profile;
  head: string;
  mid: string;
  /** The callee lines last rendered, and for which name and number. */
  calleeName: string;
  calleeNumber: string;
  callee: string;
}

export class HeaderText {
  private readonly statics = new Map<string, Static>();
  private readonly f: Fixed;
  /** Channel-Name … Channel-Call-UUID (they never change for a channel), for `identName`. */
  private ident = "";
  private identName = "";
  /** Bridge-A/B-Unique-ID lines, for `bridgeUuid`. */
  private bridge = "";
  private bridgeUuid = "";

  constructor(
    private readonly ch: Channel,
    format: "plain" | "json",
  ) {
    this.f = format === "json" ? JSON_ : PLAIN;
  }

  private static(prefix: string, p: Profile, withIndex: boolean, c: Consts): Static {
    const key = withIndex ? c.indexed : prefix;
    let st = this.statics.get(key);
    if (st?.p === p) return st;
    const l = this.f.line;
    // Joined, not `+`: kept for the call's life, as one flat string each (a cons tree costs young-GC).
    const head = [
      l(prefix + "Direction", "inbound"),
      l(prefix + "Logical-Direction", "inbound"),
      l(prefix + "Username", p.username),
      l(prefix + "Dialplan", "XML"),
      l(prefix + "Caller-ID-Name", p.callerName),
      l(prefix + "Caller-ID-Number", p.callerNumber),
      l(prefix + "Orig-Caller-ID-Name", p.callerName),
      l(prefix + "Orig-Caller-ID-Number", p.callerNumber),
    ].join("");
    const m = [
      l(prefix + "Network-Addr", "192.0.2.10"),
      l(prefix + "ANI", p.callerNumber),
      l(prefix + "Destination-Number", p.destination),
      l(prefix + "Unique-ID", p.uuid),
      l(prefix + "Source", "mod_sofia"),
      l(prefix + "Context", p.context),
      l(prefix + "Channel-Name", p.channelName),
    ];
    if (withIndex) m.push(l(prefix + "Profile-Index", "1"));
    const mid = m.join("");
    st = { p, head, mid, calleeName: "", calleeNumber: "", callee: "" };
    this.statics.set(key, st);
    return st;
  }

  /** Channel#profilePairs rendered. */
  profile(prefix: string, p: Profile, withIndex: boolean): string {
    const f = this.f;
    const c = constsOf(f, prefix);
    const st = this.static(prefix, p, withIndex, c);
    let s = st.head;
    const callee = p.callee;
    if (callee) {
      if (st.calleeName !== callee.name || st.calleeNumber !== callee.number || !st.callee) {
        st.calleeName = callee.name;
        st.calleeNumber = callee.number;
        st.callee = [f.line(c.calleeName, callee.name), f.line(c.calleeNumber, callee.number)].join("");
      }
      s += st.callee;
    }
    const t = c.times;
    const post = f.post;
    return (
      s +
      st.mid +
      t[0] + p.createdUs + post +
      t[1] + p.createdUs + post +
      t[2] + p.answeredUs + post +
      t[3] + p.progressUs + post +
      t[4] + p.progressMediaUs + post +
      t[5] + p.hangupUs + post +
      c.transfer +
      c.bridged + p.bridgedUs + post +
      c.tail
    );
  }

  /** Channel#channelPairs rendered (JSON: members, each with a leading comma). */
  channel(bridge: boolean, name: string): string {
    const ch = this.ch;
    const f = this.f;
    const l = f.line;
    let s = "";
    if (bridge && ch.other) {
      if (this.bridgeUuid !== ch.other.uuid || !this.bridge) {
        this.bridgeUuid = ch.other.uuid;
        this.bridge = [l("Bridge-A-Unique-ID", ch.uuid), l("Bridge-B-Unique-ID", ch.other.uuid)].join("");
      }
      s = this.bridge;
    }
    const cause = ch.hangupCause ? cachedLine(f, f.cause, "Hangup-Cause", ch.hangupCause) : "";
    // HANGUP_COMPLETE carries Hangup-Cause up front; other events after Answer-State. Plain repeats
    // it after Answer-State; in JSON a repeated name keeps its first place (the value is the same).
    const early = name === "CHANNEL_HANGUP_COMPLETE";
    if (early) s += cause;
    const chName = ch.profile.channelName;
    if (this.identName !== chName || !this.ident) {
      this.identName = chName;
      this.ident = [l("Channel-Name", chName), l("Unique-ID", ch.uuid), f.directions, l("Channel-Call-UUID", ch.uuid)].join("");
    }
    s +=
      stateLines(f, ch.state, ch.callState) +
      this.ident +
      cachedLine(f, f.answer, "Answer-State", ch.answerState) +
      (early && f === JSON_ ? "" : cause) +
      f.codecs +
      this.profile("Caller-", ch.profile, true);
    if (ch.other) s += f.otherType + this.profile("Other-Leg-", ch.other, false);
    return s;
  }
}
