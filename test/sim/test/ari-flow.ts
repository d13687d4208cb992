// The B2BUA flow the ARI recordings were made with (capture-tools/scenarios.js), driven through
// ari-client against the AriSimulator, so the events it receives can be compared with the recording.
import ari from "ari-client";
import { AriSimulator, ariEvents, readAriFixture, type SimCallResult, type SimCallSpec, type TrunkBehaviour } from "../src/index.ts";
import { FIX } from "./helpers.ts";

export interface FlowOpts {
  early: "progress" | "ring" | "none" | "answer";
  announce: string | null;
  waitAnnounce?: boolean;
  trunks: string[];
  originateTimeout?: number;
  createDial?: boolean;
  dialTimeout?: number;
  maxDurationMs?: number;
  timeoutAbsolute?: number;
  noTrunkReason?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: ari-client is untyped
type Any = any;
export type AriEvent = Record<string, Any> & { type: string };

export async function runFlow(
  file: string,
  opts: FlowOpts,
  trunks: Record<string, TrunkBehaviour>,
  spec: Partial<SimCallSpec>,
  timeScale = 0.1,
): Promise<{ got: AriEvent[]; want: AriEvent[]; result: SimCallResult; rest: RestAnswer[]; wantRest: RestAnswer[] }> {
  // sound:pls-hold-while-try lasted ~2.4 s in the recordings.
  const rest: RestAnswer[] = [];
  const sim = new AriSimulator({ username: "ari", password: "ari", trunks, timeScale, defaultPlaybackMs: 2400, onRest: (r) => rest.push(r) });
  const { url } = await sim.start();
  const client = await ari.connect(url, "ari", "ari");
  const got: AriEvent[] = [];
  client.on("*", (ev: AriEvent) => {
    if (ev.type !== "ChannelVarset") got.push(ev);
  });
  const call: Any = { done: false, trunkIdx: 0, bridged: false };
  const scaled = (ms: number) => ms * timeScale;
  const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
  const hangup = (ch: Any, reason?: string) => quiet(reason ? ch.hangup({ reason }) : ch.hangup());
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const teardown = async (aReason?: string) => {
    if (call.done) return;
    call.done = true;
    const ps: Promise<unknown>[] = [];
    if (call.A && !call.Agone) ps.push(hangup(call.A, aReason));
    if (call.B && !call.Bgone) ps.push(hangup(call.B));
    await Promise.all(ps);
    if (call.bridge) await quiet(call.bridge.destroy());
    finish();
  };
  const causeToReason = (c: number) => (c === 17 ? "busy" : c === 18 || c === 19 ? "no_answer" : [34, 38, 42].includes(c) ? "congestion" : "normal");
  const failover = (c: number) => [34, 38, 41, 42, 47, 21, 27].includes(c);
  const dialB = async (): Promise<void> => {
    const trunk = opts.trunks[call.trunkIdx];
    const B = client.Channel();
    Object.assign(call, { B, Bgone: false });
    B.on("ChannelDestroyed", (ev: AriEvent) => {
      if (call.B !== B) return;
      call.Bgone = true;
      if (call.bridged || call.done) return;
      if (call.trunkIdx + 1 < opts.trunks.length && failover(ev.cause)) {
        call.trunkIdx++;
        void dialB();
      } else {
        const map: Record<string, string> = { BUSY: "busy", NOANSWER: "no_answer", CONGESTION: "congestion", CHANUNAVAIL: "congestion" };
        void teardown(call.dialFailed ? (map[call.dialFailed] ?? "normal") : causeToReason(ev.cause));
      }
    });
    const endpoint = `PJSIP/${call.exten}@${trunk}`;
    if (opts.createDial) await B.create({ endpoint, app: "callctl", appArgs: `dialed,${call.A.id}` });
    else await B.originate({ endpoint, app: "callctl", appArgs: `dialed,${call.A.id}`, callerId: call.callerNumber, timeout: opts.originateTimeout ?? 30 });
  };
  const connectLegs = async () => {
    if (call.playback && !call.playbackDone) await quiet(call.playback.stop());
    if (call.A.state !== "Up" && opts.early !== "answer") await call.A.answer();
    const bridge = client.Bridge();
    call.bridge = bridge;
    await bridge.create({ type: "mixing", name: `call-${call.A.id}` });
    await bridge.addChannel({ channel: [call.A.id, call.B.id].join(",") });
    call.bridged = true;
    if (opts.maxDurationMs) setTimeout(() => void teardown("normal"), scaled(opts.maxDurationMs));
    if (opts.timeoutAbsolute) await call.A.setChannelVar({ variable: "TIMEOUT(absolute)", value: String(opts.timeoutAbsolute) });
  };
  client.on("StasisStart", async (ev: AriEvent, ch: Any) => {
    const args: string[] = ev.args ?? [];
    if (args[0] === "dialed") {
      if (opts.createDial) {
        client.on("Dial", (d: AriEvent) => {
          if (d.peer?.id !== ch.id) return;
          if (d.dialstatus === "ANSWER" && !call.bridged) void connectLegs();
        });
        await ch.dial({ caller: call.A.id, timeout: opts.dialTimeout ?? 30 });
        return;
      }
      await connectLegs();
      return;
    }
    Object.assign(call, { A: ch, exten: ev.channel.dialplan.exten, callerNumber: ev.channel.caller.number });
    if (opts.early === "progress") await ch.progress();
    else if (opts.early === "ring") await ch.ring();
    else if (opts.early === "answer") await ch.answer();
    if (opts.announce) {
      const pb = client.Playback();
      call.playback = pb;
      pb.once("PlaybackFinished", async (pev: AriEvent) => {
        call.playbackDone = true;
        if (pev.playback.state !== "done") return;
        if (opts.waitAnnounce && !call.done && !call.Agone && opts.trunks.length) await dialB();
        else if (!opts.trunks.length && !call.done) await teardown(opts.noTrunkReason);
      });
      await quiet(ch.play({ media: opts.announce }, pb));
    }
    if ((!opts.announce || !opts.waitAnnounce) && opts.trunks.length) await dialB();
  });
  client.on("StasisEnd", (_ev: AriEvent, ch: Any) => {
    if (call.A && ch.id === call.A.id) {
      call.Agone = true;
      void teardown();
    } else if (call.B && ch.id === call.B.id && call.bridged) {
      call.Bgone = true;
      void teardown("normal");
    }
  });
  await client.start("callctl");
  const result = await sim.placeCall({ caller: "+49309991", callerName: "PSTN", dialed: "4930123456", ...spec }).done;
  await finished;
  await new Promise((r) => setTimeout(r, 50));
  await client.stop();
  await sim.stop();
  const records = readAriFixture(FIX + "ari/" + file);
  const want = ariEvents(records).filter((e) => e.type !== "ChannelVarset") as AriEvent[];
  const wantRest = recordedRest(records);
  return { got, want, result, rest, wantRest };
}

/** The recorded REST answers, each with its request's query. */
export function recordedRest(records: ReturnType<typeof readAriFixture>): RestAnswer[] {
  const queries = new Map(records.filter((r) => r.kind === "http_request").map((r) => [r.id, (r.query ?? {}) as Record<string, string>]));
  return records
    .filter((r) => r.kind === "http_response")
    .map((r) => ({ method: String(r.method), path: String(r.path), query: queries.get(r.id) ?? {}, status: Number(r.status), body: r.body ?? null }));
}

export interface RestAnswer {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  body: unknown;
}

/** The recording holds an earlier idle test channel in some files; keep events of the scenario's call. */
export function types(evs: AriEvent[]): string[] {
  const out = evs.map((e) => (e.type === "Dial" ? `Dial:${e.dialstatus}` : e.type === "PlaybackFinished" ? `PlaybackFinished:${e.playback.state}` : e.type));
  // Asterisk races ChannelStateChange(Ringing) against Dial RINGING (both orders are recorded).
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i] === "Dial:RINGING" && out[i + 1] === "ChannelStateChange") [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
  }
  return out;
}
