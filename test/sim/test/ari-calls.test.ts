// Recorded ARI call flows replayed through the AriSimulator with ari-client 2.2.0.
import t, { type Test } from "tap";
import ari from "ari-client";
import { AriSimulator, ariEvents, readAriFixture } from "../src/index.ts";
import { type AriEvent, type FlowOpts, type RestAnswer, recordedRest, runFlow, types } from "./ari-flow.ts";
import { FIX } from "./helpers.ts";

const ANN = "sound:pls-hold-while-try";
const answer1s = { kind: "answer", afterMs: 1000, ringMs: 10 } as const;
type Case = [file: string, opts: FlowOpts, trunks: Record<string, import("../src/index.ts").TrunkBehaviour>, spec: object, scale?: number];

const cases: Case[] = [
  ["bridged-call.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"] }, { trunk1: answer1s }, { hangupAfterAnswerMs: 3000 }],
  ["bridged-call-create-dial.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"], createDial: true, dialTimeout: 10 }, { trunk1: answer1s }, { hangupAfterAnswerMs: 3000 }, 0.1],
  ["busy.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"] }, { trunk1: { kind: "busy", afterMs: 10 } }, {}],
  ["busy-create-dial.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"], createDial: true, dialTimeout: 10 }, { trunk1: { kind: "busy", afterMs: 10 } }, {}],
  ["failover-503.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1", "trunk2"] }, { trunk1: { kind: "fail", sipCode: 503, afterMs: 10 }, trunk2: answer1s }, { hangupAfterAnswerMs: 3000 }],
  ["no-answer.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"], originateTimeout: 5 }, { trunk1: { kind: "noanswer" } }, {}],
  ["no-answer-create-dial.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"], createDial: true, dialTimeout: 5 }, { trunk1: { kind: "noanswer" } }, {}],
  ["trunk-no-response.jsonl", { early: "progress", announce: ANN, trunks: ["trunk2"], originateTimeout: 6 }, { trunk2: { kind: "timeout" } }, {}],
  ["far-end-bye.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"] }, { trunk1: { kind: "answer", afterMs: 1000, ringMs: 10, hangupAfterMs: 2000 } }, {}],
  ["max-duration-hangup.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"], maxDurationMs: 4000 }, { trunk1: answer1s }, {}],
  ["max-duration-timeout-absolute.jsonl", { early: "progress", announce: ANN, trunks: ["trunk1"], timeoutAbsolute: 4 }, { trunk1: answer1s }, {}],
  ["caller-hangup-during-announcement.jsonl", { early: "progress", announce: "sound:tt-monkeys", waitAnnounce: true, trunks: ["trunk1"] }, { trunk1: answer1s }, { hangupDuringAnnouncementMs: 1000 }],
  ["caller-hangup-during-announcement-answered.jsonl", { early: "answer", announce: "sound:tt-monkeys", waitAnnounce: true, trunks: ["trunk1"] }, { trunk1: answer1s }, { hangupDuringAnnouncementMs: 1000 }],
  ["play-unanswered-no-progress.jsonl", { early: "none", announce: "sound:hello-world", trunks: [], noTrunkReason: "normal" }, {}, {}],
];

/**
 * A value with what differs from run to run blanked: ids, times, SIP call ids, channel numbers. A
 * Dial RINGING's peer state races ChannelStateChange(Ringing) in Asterisk (both recorded).
 */
function norm(v: unknown): unknown {
  const race = (v as AriEvent | undefined)?.type === "Dial" && (v as AriEvent).dialstatus === "RINGING";
  return JSON.parse(
    JSON.stringify(v ?? null, (k, x) =>
      ["timestamp", "creationtime", "protocol_id", "asterisk_id"].includes(k) || (k === "state" && race)
        ? "<x>"
        : typeof x === "string"
          ? x
              .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
              .replace(/\d{9,}\.\d+/g, "<id>")
              .replace(/-[0-9a-f]{8}$/, "-<n>")
          : x,
    ),
  );
}

/** Field names with their paths, in order (nested objects too). */
function paths(v: unknown, p = ""): string[] {
  return v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v).flatMap((k) => [p + k, ...paths((v as Record<string, unknown>)[k], `${p + k}.`)]) : [];
}

/**
 * A run against its recording: event types in order, every event's field names in Asterisk's order
 * and values, and every REST answer against the recorded answer to the same request.
 */
function sameAsRecorded(t: Test, got: AriEvent[], want: AriEvent[], rest: RestAnswer[], wantRest: RestAnswer[]): void {
  // Some recordings start with an idle channel from an earlier run; compare from the first StasisStart.
  const from = want.findIndex((e) => e.type === "StasisStart");
  t.same(types(got), types(want.slice(from)), "event types and order");
  const pick = (evs: typeof got, type: string) =>
    evs.filter((e) => e.type === type).map((e) => ({ cause: e.cause, cause_txt: e.cause_txt, tech_cause: e.tech_cause, soft: e.soft }));
  for (const type of ["ChannelHangupRequest", "ChannelDestroyed"]) t.same(pick(got, type), pick(want.slice(from), type), `${type} causes`);
  // Every event against the recorded event of its type and occurrence: field names in Asterisk's
  // order (nested objects too) and every value (what differs from run to run blanked).
  // Matched per leg (the dialplan context tells the caller's from the trunk's): Asterisk races
  // the two legs' events (ChannelConnectedLine comes in either order in the recordings).
  const leg = (e: AriEvent) => `${types([e])[0]} ${(e.channel ?? e.peer)?.dialplan?.context ?? ""}`;
  const seen = new Map<string, number>();
  for (const a of got) {
    const type = leg(a);
    const k = seen.get(type) ?? 0;
    seen.set(type, k + 1);
    const b = want.slice(from).filter((e) => leg(e) === type)[k];
    t.same(paths(a), paths(b), `${type} #${k + 1}: field names in order`);
    t.strictSame(norm(a), norm(b), `${type} #${k + 1}: values`);
  }
  // Every REST answer against the recorded answer to the same request (ids in the path blanked;
  // the recording tool also made requests the flow does not).
  const req = (r: RestAnswer) =>
    `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}|\d{9,}\.\d+/g, ":id")}${r.query.reason ? `?reason=${r.query.reason}` : ""}`;
  // Whether a playback is still queued when POST play answers is a race (both recorded).
  const raced = (a: RestAnswer, b: RestAnswer | undefined) => {
    const x = norm(a.body) as Record<string, unknown> | null;
    const y = norm(b?.body) as Record<string, unknown> | null;
    if (a.path.endsWith("/play") && x && y && [x.state, y.state].every((s) => s === "queued" || s === "playing")) x.state = y.state = "<race>";
    return [x, y];
  };
  const asked = new Map<string, number>();
  for (const a of rest) {
    if (a.path.startsWith("/ari/api-docs")) continue;
    const k = asked.get(req(a)) ?? 0;
    asked.set(req(a), k + 1);
    const b = wantRest.filter((r) => req(r) === req(a) && r.status !== 401)[k];
    t.ok(b, `${req(a)} #${k + 1}: recorded`);
    t.equal(a.status, b?.status, `${req(a)} #${k + 1}: status`);
    t.same(paths(a.body), paths(b?.body), `${req(a)} #${k + 1}: field names in order`);
    const [x, y] = raced(a, b);
    t.strictSame(x, y, `${req(a)} #${k + 1}: values`);
  }
}

for (const [file, opts, trunks, spec, scale] of cases) {
  t.test(file, async (t) => {
    const { got, want, result, rest, wantRest } = await runFlow(file, opts, trunks, spec, scale);
    sameAsRecorded(t, got, want, rest, wantRest);
    t.ok(result.durationMs >= 0);
  });
}

t.test("ring-then-answer.jsonl: ring, stop ringing, answer, play, hang up", async (t) => {
  const rest: RestAnswer[] = [];
  const sim = new AriSimulator({ username: "ari", password: "ari", trunks: {}, timeScale: 0.1, defaultPlaybackMs: 1000, onRest: (r) => rest.push(r) });
  const { url } = await sim.start();
  const client = await ari.connect(url, "ari", "ari");
  const got: AriEvent[] = [];
  client.on("*", (ev: AriEvent) => {
    if (ev.type !== "ChannelVarset") got.push(ev);
  });
  // The recorded app's steps, each after the previous answer.
  const done = new Promise<void>((res) =>
    // biome-ignore lint/suspicious/noExplicitAny: ari-client is untyped
    client.once("StasisStart", async (_e: AriEvent, ch: any) => {
      await ch.ring();
      await ch.ringStop();
      await ch.answer();
      const pb = client.Playback();
      pb.once("PlaybackFinished", async () => {
        await ch.hangup({ reason: "normal" });
        res();
      });
      await ch.play({ media: "sound:hello-world" }, pb);
    }),
  );
  await client.start("callctl");
  const h = sim.placeCall({ caller: "+49309991", callerName: "PSTN", dialed: "4930123456" });
  await done;
  t.equal((await h.done).hangupBy, "agent");
  await new Promise((r) => setTimeout(r, 50));
  await client.stop();
  await sim.stop();
  const records = readAriFixture(`${FIX}ari/ring-then-answer.jsonl`);
  const want = ariEvents(records).filter((e) => e.type !== "ChannelVarset") as AriEvent[];
  sameAsRecorded(t, got, want, rest, recordedRest(records));
});
