// The `plain` text of a channel's header block (Channel-State … Caller-* … Other-Leg-*), written
// straight from the channel: the parts that never change for a profile are URL-encoded once, the
// rest (states, times, callee) per rendering. Same bytes as rendering Channel#channelPairs.
import type { Channel, Profile } from "./channel.ts";
import { fsUrlEncode } from "./frames.ts";

export const STATE_NUM: Record<string, string> = { CS_EXECUTE: "4", CS_HANGUP: "10", CS_REPORTING: "11", CS_DESTROY: "12" };
const TIME_KEYS = [
  "Profile-Created-Time",
  "Channel-Created-Time",
  "Channel-Answered-Time",
  "Channel-Progress-Time",
  "Channel-Progress-Media-Time",
  "Channel-Hangup-Time",
] as const;
const CODECS =
  "Channel-Read-Codec-Name: PCMU\nChannel-Read-Codec-Rate: 8000\nChannel-Read-Codec-Bit-Rate: 64000\n" +
  "Channel-Write-Codec-Name: PCMU\nChannel-Write-Codec-Rate: 8000\nChannel-Write-Codec-Bit-Rate: 64000\n";

function line(k: string, v: string): string {
  return k + ": " + fsUrlEncode(v) + "\n";
}

interface Keys {
  times: string[];
  calleeName: string;
  calleeNumber: string;
  transfer: string;
  tail: string;
}

const keysByPrefix = new Map<string, Keys>();

function keysOf(prefix: string): Keys {
  let k = keysByPrefix.get(prefix);
  if (!k) {
    k = {
      times: TIME_KEYS.map((t) => prefix + t + ": "),
      calleeName: prefix + "Callee-ID-Name",
      calleeNumber: prefix + "Callee-ID-Number",
      transfer: `${prefix}Channel-Transfer-Time: 0\n${prefix}Channel-Resurrect-Time: 0\n${prefix}Channel-Bridged-Time: `,
      tail:
        `${prefix}Channel-Last-Hold: 0\n${prefix}Channel-Hold-Accum: 0\n${prefix}Screen-Bit: true\n` +
        `${prefix}Privacy-Hide-Name: false\n${prefix}Privacy-Hide-Number: false\n`,
    };
    keysByPrefix.set(prefix, k);
  }
  return k;
}

/** A profile's unchanging lines: before the callee lines, and from Network-Addr to Profile-Index. */
interface Static {
  p: Profile;
  head: string;
  mid: string;
}

export class PlainText {
  private readonly statics = new Map<string, Static>();

  constructor(private readonly ch: Channel) {}

  private static(prefix: string, p: Profile, withIndex: boolean): Static {
    const key = withIndex ? prefix + "#" : prefix;
    let st = this.statics.get(key);
    if (st?.p === p) return st;
    const head =
      line(prefix + "Direction", "inbound") +
      line(prefix + "Logical-Direction", "inbound") +
      line(prefix + "Username", p.username) +
      line(prefix + "Dialplan", "XML") +
      line(prefix + "Caller-ID-Name", p.callerName) +
      line(prefix + "Caller-ID-Number", p.callerNumber) +
      line(prefix + "Orig-Caller-ID-Name", p.callerName) +
      line(prefix + "Orig-Caller-ID-Number", p.callerNumber);
    let mid =
      line(prefix + "Network-Addr", "192.0.2.10") +
      line(prefix + "ANI", p.callerNumber) +
      line(prefix + "Destination-Number", p.destination) +
      line(prefix + "Unique-ID", p.uuid) +
      line(prefix + "Source", "mod_sofia") +
      line(prefix + "Context", p.context) +
      line(prefix + "Channel-Name", p.channelName);
    if (withIndex) mid += line(prefix + "Profile-Index", "1");
    st = { p, head, mid };
    this.statics.set(key, st);
    return st;
  }

  /** Channel#profilePairs rendered. */
  profile(prefix: string, p: Profile, withIndex: boolean): string {
    const st = this.static(prefix, p, withIndex);
    const k = keysOf(prefix);
    let s = st.head;
    if (p.callee) s += line(k.calleeName, p.callee.name) + line(k.calleeNumber, p.callee.number);
    const t = k.times;
    return (
      s +
      st.mid +
      t[0] + fsUrlEncode(String(p.createdUs)) + "\n" +
      t[1] + fsUrlEncode(String(p.createdUs)) + "\n" +
      t[2] + fsUrlEncode(String(p.answeredUs)) + "\n" +
      t[3] + fsUrlEncode(String(p.progressUs)) + "\n" +
      t[4] + fsUrlEncode(String(p.progressMediaUs)) + "\n" +
      t[5] + fsUrlEncode(String(p.hangupUs)) + "\n" +
      k.transfer + fsUrlEncode(String(p.bridgedUs)) + "\n" +
      k.tail
    );
  }

  /** Channel#channelPairs rendered. */
  channel(bridge: boolean, name: string): string {
    const ch = this.ch;
    let s = "";
    if (bridge && ch.other) s += line("Bridge-A-Unique-ID", ch.uuid) + line("Bridge-B-Unique-ID", ch.other.uuid);
    const cause = ch.hangupCause ? line("Hangup-Cause", ch.hangupCause) : "";
    // HANGUP_COMPLETE carries Hangup-Cause up front; other events after Answer-State.
    if (name === "CHANNEL_HANGUP_COMPLETE") s += cause;
    s +=
      line("Channel-State", ch.state) +
      line("Channel-Call-State", ch.callState) +
      line("Channel-State-Number", STATE_NUM[ch.state] ?? "4") +
      line("Channel-Name", ch.profile.channelName) +
      line("Unique-ID", ch.uuid) +
      "Call-Direction: inbound\nPresence-Call-Direction: inbound\nChannel-HIT-Dialplan: true\n" +
      line("Channel-Call-UUID", ch.uuid) +
      line("Answer-State", ch.answerState) +
      cause +
      CODECS +
      this.profile("Caller-", ch.profile, true);
    if (ch.other) s += "Other-Type: originatee\n" + this.profile("Other-Leg-", ch.other, false);
    return s;
  }
}
