// The fast event rendering (Channel#render: channel blocks and variables rendered once per callback,
// one string per frame) equals the reference rendering of the same headers (Channel#eventPairs through
// plainEventBody / jsonEventBody, i.e. one header per line or JSON.stringify of the pairs), for
// any caller id, name, destination and variables, through every state a call passes. The recorded
// header order these pairs follow is checked against the recordings in esl-bridge/esl-apps.
import fc from "fast-check";
import t from "tap";
import { Channel, type EventOpts, type SwitchInfo } from "../src/esl/channel.ts";
import { eventFrame, jsonEventBody, plainEventBody } from "../src/esl/frames.ts";

const sw: SwitchInfo = { coreUuid: "7ad3c1a8-0000-4000-8000-000000000001", hostname: "sim", nextSeq: () => 4242 };

/** Event-Date-* values change with the clock and the timestamp carries random microseconds. */
function normalize(frame: string): string {
  return frame
    .replace(/^Content-Length: \d+\n/, "Content-Length: N\n")
    .replace(/("Event-Date-(?:Local|GMT|Timestamp)":)"[^"]*"/g, '$1"T"')
    .replace(/(Event-Date-(?:Local|GMT|Timestamp): )[^\n]*/g, "$1T");
}

/** The frame's Content-Length is the UTF-8 byte count of what follows the blank line. */
function lengthHolds(frame: string): boolean {
  const m = /^Content-Length: (\d+)\n[\s\S]*?\n\n/.exec(frame);
  return !!m && Number(m[1]) === Buffer.byteLength(frame.slice(m[0].length));
}

/** Both formats of one event from `ch` equal the reference rendering of its pairs. */
function framesMatch(ch: Channel, ev: string, o: EventOpts): boolean {
  for (const kind of ["plain", "json"] as const) {
    const fast = ch.render(kind, ev, o);
    const pairs = ch.eventPairs(ev, o);
    const ref = eventFrame(kind, kind === "json" ? jsonEventBody(pairs) : plainEventBody(pairs));
    if (!lengthHolds(fast) || normalize(fast) !== normalize(ref)) return false;
  }
  return true;
}

/** The connect reply equals CHANNEL_DATA's pairs rendered plain, then the reply headers. */
function connectMatches(ch: Channel): boolean {
  const ref = plainEventBody(ch.connectPairs()).slice(0, -1) + "Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n";
  return normalize(ch.connectReply()) === normalize(ref);
}

const EVENTS: Array<[string, EventOpts]> = [
  ["CHANNEL_PROGRESS", {}],
  ["CHANNEL_ANSWER", {}],
  ["CHANNEL_BRIDGE", { bridge: true }],
  ["CHANNEL_EXECUTE_COMPLETE", { app: { name: "bridge", data: "{x=1}sofia/gateway/gw1/1", response: "_none_", uuid: "e1" } }],
  ["CHANNEL_STATE", { noVars: true }],
  ["CHANNEL_EXECUTE", { app: { name: "playback", data: 'say "hi" \\ ☎\n', uuid: "e2" } }],
  ["CHANNEL_HANGUP_COMPLETE", {}],
];

// Text a caller controls, and text with everything JSON and URL encoding must escape.
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 8 }), fc.constantFrom("", '"q"\\', "a\nb\r\n", "Müller ☎", "x%2By&z=1"));
const vars = fc.array(fc.tuple(fc.constantFrom("a", "b", "sip_term_status", "DIALSTATUS", "hangup_cause", "x-y", "ünï"), fc.option(text, { nil: undefined })), { maxLength: 40 });

t.test("render equals the reference rendering of eventPairs, plain and JSON, through a call's states", (t) => {
  fc.assert(
    fc.property(text, text, text, vars, fc.boolean(), (num, name, dest, sets, other) => {
      const ch = new Channel(sw, { callerNumber: num, callerName: name, destination: dest });
      let step = 0;
      for (const [k, v] of sets) {
        ch.setVar(k, v);
        const [ev, o] = EVENTS[step++ % EVENTS.length]!;
        if (ev === "CHANNEL_ANSWER") {
          ch.answerState = "answered";
          ch.profile.answeredUs = Date.now() * 1000;
          if (other) ch.other = { ...ch.profile, uuid: "b-leg", channelName: "sofia/gateway/gw1/" + dest, callee: { name, number: dest } };
        }
        if (ev === "CHANNEL_HANGUP_COMPLETE") {
          ch.hangupCause = "NORMAL_CLEARING";
          ch.state = "CS_REPORTING";
        }
        if (!framesMatch(ch, ev, o)) return false;
      }
      return framesMatch(ch, "CHANNEL_HANGUP_COMPLETE", {});
    }),
    { numRuns: 300 },
  );
  t.pass("300 generated calls");
  t.end();
});

t.test("the connect reply is CHANNEL_DATA's head, the Channel- profile, the channel block and the variables", (t) => {
  fc.assert(
    fc.property(text, text, text, (num, name, dest) => {
      const ch = new Channel(sw, { callerNumber: num, callerName: name, destination: dest });
      ch.setVar("socket_host", "127.0.0.1");
      return connectMatches(ch);
    }),
    { numRuns: 200 },
  );
  t.pass("200 generated channels");
  t.end();
});

// Any sequence of the changes a call goes through, in any order and any number per callback (the
// channel block and the variables are kept within a callback): variables, states, every time of both legs, the callee,
// the other leg coming, changing and going; a frame or the connect reply after each change.
const TIME_FIELDS = ["createdUs", "answeredUs", "progressUs", "progressMediaUs", "hangupUs", "bridgedUs"] as const;
const change = fc.oneof(
  fc.record({ kind: fc.constant("var" as const), k: fc.constantFrom("a", "sip_term_status", "ünï", "hangup_cause"), v: fc.option(text, { nil: undefined }) }),
  fc.record({ kind: fc.constant("state" as const), state: fc.constantFrom("CS_EXECUTE", "CS_HANGUP", "CS_REPORTING"), call: fc.constantFrom("RINGING", "EARLY", "ACTIVE", "HANGUP"), answer: fc.constantFrom("ringing", "early", "answered", "hangup") }),
  fc.record({ kind: fc.constant("time" as const), leg: fc.constantFrom("caller", "other"), field: fc.constantFrom(...TIME_FIELDS), us: fc.integer({ min: 0, max: 2 ** 52 }) }),
  fc.record({ kind: fc.constant("callee" as const), leg: fc.constantFrom("caller", "other"), name: text, number: text }),
  fc.record({ kind: fc.constant("other" as const), uuid: fc.constantFrom("", "b-1", "b-2"), dest: text }),
  fc.record({ kind: fc.constant("cause" as const), cause: fc.constantFrom(undefined, "NORMAL_CLEARING", "USER_BUSY") }),
);

t.test("render and the connect reply equal the reference under any sequence of changes", (t) => {
  fc.assert(
    fc.property(text, text, fc.array(fc.tuple(change, fc.nat(EVENTS.length)), { maxLength: 30 }), (num, name, steps) => {
      const ch = new Channel(sw, { callerNumber: num, callerName: name, destination: "4930123" });
      for (const [c, e] of steps) {
        if (c.kind === "var") ch.setVar(c.k, c.v);
        else if (c.kind === "state") {
          ch.state = c.state;
          ch.callState = c.call;
          ch.answerState = c.answer;
        } else if (c.kind === "time") {
          const p = c.leg === "caller" ? ch.profile : ch.other;
          if (p) p[c.field] = c.us;
        } else if (c.kind === "callee") {
          const p = c.leg === "caller" ? ch.profile : ch.other;
          if (p) p.callee = { name: c.name, number: c.number };
        } else if (c.kind === "other") ch.other = c.uuid ? { ...ch.profile, uuid: c.uuid, channelName: "sofia/gateway/gw1/" + c.dest, destination: c.dest, callee: undefined } : undefined;
        else ch.hangupCause = c.cause;
        const ok = e === EVENTS.length ? connectMatches(ch) : framesMatch(ch, ...EVENTS[e]!);
        if (!ok) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass("500 generated change sequences");
  t.end();
});

// Last in this file: it fills the process-wide table of variable names (vars.ts, 4096 names), so
// every name after it renders through the path for names without a shared id.
t.test("variables beyond the shared name table render like the others, set, changed, deleted and set again", (t) => {
  const ch = new Channel(sw, { callerNumber: "4930123", callerName: "Müller", destination: "4930456" });
  for (let i = 0; i < 4200; i++) ch.setVar(`fill_${i}`, i % 7 ? String(i) : `v"${i}\\ ☎`);
  const late = new Channel(sw, { callerNumber: "4930124", callerName: "Z", destination: "4930457" });
  late.setVar("ünï_beyond", "Müller ☎");
  late.setVar("plain_beyond", "a b");
  late.setVar("quoted_beyond", '"q"\\');
  t.ok(framesMatch(late, "CHANNEL_ANSWER", {}), "new names after the table is full");
  t.ok(connectMatches(late), "connect reply with them");
  late.setVar("plain_beyond", "changed");
  late.setVar("ünï_beyond", undefined);
  t.ok(framesMatch(late, "CHANNEL_HANGUP_COMPLETE", {}), "changed and deleted");
  late.setVar("ünï_beyond", "again");
  t.equal(late.getVar("ünï_beyond"), "again");
  t.ok(framesMatch(late, "CHANNEL_EXECUTE_COMPLETE", EVENTS[3]![1]), "set again: appended at the end");
  t.ok(framesMatch(ch, "CHANNEL_HANGUP_COMPLETE", {}), "a channel with 4,200 variables");
  t.end();
});
