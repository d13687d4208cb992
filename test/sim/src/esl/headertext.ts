// A channel's header block (Channel-State … Caller-* … Other-Leg-*) as `plain` text or as JSON
// members, written straight from the channel: the parts that never change for a profile are
// encoded once, the rest (states, times, callee) per rendering. Same bytes as rendering
// Channel#channelPairs (for JSON: as jsonMembers does, a repeated name keeps its first place).
import type { Channel, Profile } from "./channel.ts";
import { fsUrlEncode } from "./frames.ts";

export const STATE_NUM: Record<string, string> = { CS_EXECUTE: "4", CS_HANGUP: "10", CS_REPORTING: "11", CS_DESTROY: "12" };

/** One header: `K: v\n` (plain, URL-encoded) or `,"K":"v"` (JSON member with its leading comma). */
type Line = (k: string, v: string) => string;

const plainLine: Line = (k, v) => k + ": " + fsUrlEncode(v) + "\n";
/** `,"K":` per header name (a fixed set), so a rendering only stringifies the values. */
const jsonKeys = new Map<string, string>();
const jsonLine: Line = (k, v) => {
  let key = jsonKeys.get(k);
  if (key === undefined) jsonKeys.set(k, (key = "," + JSON.stringify(k) + ":"));
  return key + JSON.stringify(v);
};

/** Constant runs of lines per format and prefix. */
interface Consts {
  times: string[];
  calleeName: string;
  calleeNumber: string;
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

/** Per format: constant runs of the channel block. */
interface Fixed {
  line: Line;
  directions: string;
  codecs: string;
  otherType: string;
  prefixes: Map<string, Consts>;
}

function fixed(line: Line): Fixed {
  return {
    line,
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
  };
}

const PLAIN = fixed(plainLine);
const JSON_ = fixed(jsonLine);

function constsOf(f: Fixed, prefix: string): Consts {
  let c = f.prefixes.get(prefix);
  if (!c) {
    const l = f.line;
    c = {
      times: TIME_KEYS.map((t) => prefix + t),
      calleeName: prefix + "Callee-ID-Name",
      calleeNumber: prefix + "Callee-ID-Number",
      bridged: prefix + "Channel-Bridged-Time",
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
}

export class HeaderText {
  private readonly statics = new Map<string, Static>();
  private readonly f: Fixed;

  constructor(
    private readonly ch: Channel,
    format: "plain" | "json",
  ) {
    this.f = format === "json" ? JSON_ : PLAIN;
  }

  private static(prefix: string, p: Profile, withIndex: boolean): Static {
    const key = withIndex ? prefix + "#" : prefix;
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
    st = { p, head, mid };
    this.statics.set(key, st);
    return st;
  }

  /** Channel#profilePairs rendered. */
  profile(prefix: string, p: Profile, withIndex: boolean): string {
    const st = this.static(prefix, p, withIndex);
    const c = constsOf(this.f, prefix);
    const l = this.f.line;
    let s = st.head;
    if (p.callee) s += l(c.calleeName, p.callee.name) + l(c.calleeNumber, p.callee.number);
    const t = c.times;
    return (
      s +
      st.mid +
      l(t[0]!, String(p.createdUs)) +
      l(t[1]!, String(p.createdUs)) +
      l(t[2]!, String(p.answeredUs)) +
      l(t[3]!, String(p.progressUs)) +
      l(t[4]!, String(p.progressMediaUs)) +
      l(t[5]!, String(p.hangupUs)) +
      l(prefix + "Channel-Transfer-Time", "0") +
      l(prefix + "Channel-Resurrect-Time", "0") +
      l(c.bridged, String(p.bridgedUs)) +
      c.tail
    );
  }

  /** Channel#channelPairs rendered (JSON: members, each with a leading comma). */
  channel(bridge: boolean, name: string): string {
    const ch = this.ch;
    const l = this.f.line;
    let s = "";
    if (bridge && ch.other) s += l("Bridge-A-Unique-ID", ch.uuid) + l("Bridge-B-Unique-ID", ch.other.uuid);
    const cause = ch.hangupCause ? l("Hangup-Cause", ch.hangupCause) : "";
    // HANGUP_COMPLETE carries Hangup-Cause up front; other events after Answer-State. Plain repeats
    // it after Answer-State; in JSON a repeated name keeps its first place (the value is the same).
    const early = name === "CHANNEL_HANGUP_COMPLETE";
    if (early) s += cause;
    s +=
      l("Channel-State", ch.state) +
      l("Channel-Call-State", ch.callState) +
      l("Channel-State-Number", STATE_NUM[ch.state] ?? "4") +
      l("Channel-Name", ch.profile.channelName) +
      l("Unique-ID", ch.uuid) +
      this.f.directions +
      l("Channel-Call-UUID", ch.uuid) +
      l("Answer-State", ch.answerState) +
      (early && this.f === JSON_ ? "" : cause) +
      this.f.codecs +
      this.profile("Caller-", ch.profile, true);
    if (ch.other) s += this.f.otherType + this.profile("Other-Leg-", ch.other, false);
    return s;
  }
}
