// A channel's header block (Channel-State … Caller-* … Other-Leg-*) as `plain` text or as JSON
// members, written straight from the channel. Same bytes as rendering Channel#channelPairs (for
// JSON: as jsonMembers does, a repeated name keeps its first place).
//
// Header names and the lines that never change are encoded once for all channels (per format and
// prefix). Nothing is cached per channel: a rendering lives for one callback (Channel keeps it
// for the events of that callback), because text kept for a call's life is copied twice by the
// young-generation GC, and every time a kept text is replaced (a state or time changed: almost
// every event) the new one is copied twice again. Measured (2026-12-07): ~4.5 µs of GC per KB a
// call keeps, against ~1 µs to render a profile's lines.
//
// A rendering is one string (runs of text concatenated) with its UTF-8 byte count summed on the
// way: the session's write flattens it once.
import type { Channel, Profile } from "./channel.ts";
import { fsUrlEncode, jsonClean, jsonContent, jsonString } from "./frames.ts";
import { GATEWAY_HOST } from "./outleg.ts";

/**
 * Channel-State-Number per Channel-State (the running state's name), as recorded: an originated
 * leg's CHANNEL_CREATE reads CS_INIT / 2 and its CHANNEL_PROGRESS CS_CONSUME_MEDIA / 7.
 */
export const STATE_NUM: Record<string, string> = { CS_INIT: "2", CS_EXECUTE: "4", CS_CONSUME_MEDIA: "7", CS_HANGUP: "10", CS_REPORTING: "11", CS_DESTROY: "12" };

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

/**
 * Constant runs of a profile's lines per format and prefix. A profile's values go between them: a
 * run ends with the next value's key (and, in JSON, its opening quote) and starts with the end of
 * the value before it (closing quote or newline), so a value is written as it is, or escaped.
 */
interface Consts {
  /** Before Username, Caller-ID-Name, Caller-ID-Number, Orig-Caller-ID-Name, Orig-Caller-ID-Number. */
  head: string[];
  /** Before Callee-ID-Name (after the head) and before Callee-ID-Number (the run after it is mid[0]). */
  callee: string[];
  /** Before ANI (after the head or the callee lines), Destination-Number, Unique-ID, Context, Channel-Name. */
  mid: string[];
  /**
   * From the end of Channel-Name (without and with Profile-Index) to the first time's digits, then
   * the runs between the times' digits (Profile-Created, Channel-Created, -Answered, -Progress,
   * -Progress-Media, -Hangup, -Bridged), and the run after the last: a time is two pieces.
   */
  timesFrom: string;
  timesFromIndexed: string;
  times: string[];
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
  /** Plain text is URL-encoded, hence ASCII: its length is its byte count. */
  ascii: boolean;
  line: Line;
  key: (k: string) => string;
  /** A number's line: key + pre + digits + post (digits need no encoding in either format). */
  pre: string;
  post: string;
  /** Runs before Channel-Name, Unique-ID and Channel-Call-UUID (the last with the direction lines). */
  ident: string[];
  /** Runs before Bridge-A-Unique-ID and Bridge-B-Unique-ID. */
  bridgeA: string;
  bridgeB: string;
  codecs: string;
  otherType: string;
  prefixes: Map<string, Consts>;
  /** Channel-State, Channel-Call-State and Channel-State-Number lines per state and call state. */
  states: Map<string, Map<string, string>>;
  hungStates: Map<string, Map<string, string>>;
  answer: Map<string, string>;
  cause: Map<string, string>;
}

function fixed(ascii: boolean, line: Line, key: (k: string) => string, pre: string, post: string): Fixed {
  return {
    ascii,
    line,
    key,
    pre,
    post,
    ident: [
      key("Channel-Name") + pre,
      post + key("Unique-ID") + pre,
      post + line("Call-Direction", "inbound") + line("Presence-Call-Direction", "inbound") + line("Channel-HIT-Dialplan", "true") + key("Channel-Call-UUID") + pre,
    ],
    bridgeA: key("Bridge-A-Unique-ID") + pre,
    bridgeB: post + key("Bridge-B-Unique-ID") + pre,
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
    hungStates: new Map(),
    answer: new Map(),
    cause: new Map(),
  };
}

const PLAIN = fixed(true, plainLine, plainKey, "", "\n");
const JSON_ = fixed(false, jsonLine, jsonKey, '"', '"');

/** A cached line of a header whose values are few (states, causes): flat, shared by all channels. */
function cachedLine(f: Fixed, cache: Map<string, string>, k: string, v: string): string {
  let s = cache.get(v);
  if (s === undefined) {
    s = [f.line(k, v)].join("");
    if (cache.size < 256) cache.set(v, s);
  }
  return s;
}

/**
 * Per state name, then call state; a second table for the number a hangup gives a state before the
 * state machine moves on (Channel#stateNumber: 10, whatever the name).
 */
function stateLines(f: Fixed, state: string, num: string, callState: string): string {
  // Channel#stateNumber gives a name its own number (as in STATE_NUM, "4" if none) or 10.
  const states = num === (STATE_NUM[state] ?? "4") ? f.states : f.hungStates;
  let m = states.get(state);
  if (!m) states.set(state, (m = new Map()));
  let s = m.get(callState);
  if (s === undefined) {
    s = [f.line("Channel-State", state), f.line("Channel-Call-State", callState), f.line("Channel-State-Number", num)].join("");
    if (m.size < 64) m.set(callState, s);
  }
  return s;
}

function constsOf(f: Fixed, prefix: string): Consts {
  let c = f.prefixes.get(prefix);
  if (!c) {
    const l = f.line;
    const k = (name: string) => f.key(prefix + name) + f.pre;
    const post = f.post;
    c = {
      head: [
        // The B leg (recorded): an outbound channel whose logical direction is the caller's.
        l(prefix + "Direction", prefix === "Other-Leg-" ? "outbound" : "inbound") + l(prefix + "Logical-Direction", "inbound") + k("Username"),
        post + l(prefix + "Dialplan", "XML") + k("Caller-ID-Name"),
        post + k("Caller-ID-Number"),
        post + k("Orig-Caller-ID-Name"),
        post + k("Orig-Caller-ID-Number"),
      ],
      callee: [post + k("Callee-ID-Name"), post + k("Callee-ID-Number")],
      mid: [post + l(prefix + "Network-Addr", prefix === "Other-Leg-" ? GATEWAY_HOST : "192.0.2.10") + k("ANI"), post + k("Destination-Number"), post + k("Unique-ID"), post + l(prefix + "Source", "mod_sofia") + k("Context"), post + k("Channel-Name")],
      timesFrom: post + k(TIME_KEYS[0]!),
      timesFromIndexed: post + l(prefix + "Profile-Index", "1") + k(TIME_KEYS[0]!),
      times: [
        ...TIME_KEYS.slice(1).map((t) => post + k(t)),
        post + l(prefix + "Channel-Transfer-Time", "0") + l(prefix + "Channel-Resurrect-Time", "0") + k("Channel-Bridged-Time"),
      ],
      tail:
        post +
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

/** The UTF-8 byte count of text in format `f` (plain text is URL-encoded: ASCII). */
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

  /** Five runs, each followed by its value (a profile's head and mid lines); no array per call. */
  fields(json: boolean, runs: string[], a: string, b: string, c: string, d: string, e: string): void {
    this.ascii(runs[0]!);
    this.value(json, a);
    this.ascii(runs[1]!);
    this.value(json, b);
    this.ascii(runs[2]!);
    this.value(json, c);
    this.ascii(runs[3]!);
    this.value(json, d);
    this.ascii(runs[4]!);
    this.value(json, e);
  }

  /** A value between its key and its end: as it is when it needs no escape, else URL-encoded (plain) or JSON-escaped. */
  value(json: boolean, v: string): void {
    if (json) {
      if (jsonClean(v)) this.ascii(v);
      else {
        const inner = jsonContent(v);
        this.text(inner, Buffer.byteLength(inner));
      }
    } else this.ascii(fsUrlEncode(v));
  }
}

/** A microsecond timestamp's digits ("0" for a time not reached). */
function digits(us: number): string {
  return us === 0 ? "0" : String(us);
}

/** Channel#profilePairs rendered into `r`. */
export function renderProfile(r: Rendering, json: boolean, prefix: string, p: Profile, withIndex: boolean): void {
  const f = json ? JSON_ : PLAIN;
  const c = constsOf(f, prefix);
  r.fields(json, c.head, p.username, p.callerName, p.callerNumber, p.callerName, p.callerNumber);
  const callee = p.callee;
  if (callee) {
    r.ascii(c.callee[0]!);
    r.value(json, callee.name);
    r.ascii(c.callee[1]!);
    r.value(json, callee.number);
  }
  r.fields(json, c.mid, p.callerNumber, p.destination, p.uuid, p.context, p.channelName);
  // Keys, digits and constants: ASCII.
  const t = c.times;
  const created = digits(p.createdUs);
  r.ascii(withIndex ? c.timesFromIndexed : c.timesFrom);
  r.ascii(created);
  r.ascii(t[0]!);
  r.ascii(created);
  r.ascii(t[1]!);
  r.ascii(digits(p.answeredUs));
  r.ascii(t[2]!);
  r.ascii(digits(p.progressUs));
  r.ascii(t[3]!);
  r.ascii(digits(p.progressMediaUs));
  r.ascii(t[4]!);
  r.ascii(digits(p.hangupUs));
  r.ascii(t[5]!);
  r.ascii(digits(p.bridgedUs));
  r.ascii(c.tail);
}

/** Channel#channelPairs rendered into `r` (JSON: members, each with a leading comma). */
export function renderChannel(r: Rendering, ch: Channel, json: boolean, bridge: boolean, name: string): void {
  const f = json ? JSON_ : PLAIN;
  const post = f.post;
  if (bridge && ch.other) {
    r.ascii(f.bridgeA);
    r.value(json, ch.uuid);
    r.ascii(f.bridgeB);
    r.value(json, ch.other.uuid);
    r.ascii(post);
  }
  const cause = ch.hangupCause ? cachedLine(f, f.cause, "Hangup-Cause", ch.hangupCause) : "";
  const causeBytes = bytesOf(f, cause);
  // HANGUP_COMPLETE carries Hangup-Cause up front; other events after Answer-State. Plain repeats
  // it after Answer-State; in JSON a repeated name keeps its first place (the value is the same).
  const early = name === "CHANNEL_HANGUP_COMPLETE";
  if (early) r.text(cause, causeBytes);
  r.ascii(stateLines(f, ch.state, ch.stateNumber, ch.callState));
  r.ascii(f.ident[0]!);
  r.value(json, ch.profile.channelName);
  r.ascii(f.ident[1]!);
  r.value(json, ch.uuid);
  r.ascii(f.ident[2]!);
  r.value(json, ch.uuid);
  r.ascii(post);
  r.ascii(cachedLine(f, f.answer, "Answer-State", ch.answerState));
  if (!(early && json)) r.text(cause, causeBytes);
  r.ascii(f.codecs);
  renderProfile(r, json, "Caller-", ch.profile, true);
  if (ch.other) {
    r.ascii(f.otherType);
    renderProfile(r, json, "Other-Leg-", ch.other, false);
  }
}
