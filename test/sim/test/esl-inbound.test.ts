// Inbound (:8021) sessions against the recordings: auth failure, api/bgapi, header injection, idle
// heartbeat, and the slow-consumer kill.
import net from "node:net";
import esl from "modesl";
import t, { type Test } from "tap";
import { type EslFrame, EslFrameReader, EslSimulator, type EslSimulatorOptions, readEslFixture } from "../src/index.ts";
import { FIX, token } from "./helpers.ts";
import { KEYS } from "./esl-replay.ts";

const PW = "Fixture-Pw-42";

/** A raw client: collects frames and resolves when the socket closes. */
function raw(port: number) {
  const sock = net.connect({ port, host: "127.0.0.1", noDelay: true });
  const reader = new EslFrameReader();
  const got: EslFrame[] = [];
  const waiters: Array<[(f: EslFrame) => boolean, (f: EslFrame) => void]> = [];
  sock.on("data", (d) => {
    for (const f of reader.push(d)) {
      got.push(f);
      for (const w of [...waiters]) {
        if (!w[0](f)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w[1](f);
      }
    }
  });
  const closed = new Promise<void>((r) => sock.on("close", () => r()));
  const next = (pred: (f: EslFrame) => boolean) => {
    const f = got.find(pred);
    return f ? Promise.resolve(f) : new Promise<EslFrame>((r) => waiters.push([pred, r]));
  };
  return { sock, got, closed, next, reader };
}

/** A simulator serving only its inbound listener, and a raw client that has authenticated. */
async function authed(opts: Partial<EslSimulatorOptions>) {
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: 1 }, password: PW, trunks: {}, ...opts });
  const { inboundPort } = await sim.start();
  const c = raw(inboundPort);
  await c.next((f) => f.headers["Content-Type"] === "auth/request");
  c.sock.write(`auth ${PW}\n\n`);
  return { sim, c };
}

const recTokens = (file: string) => readEslFixture(FIX + "esl/" + file).frames.map(token);

/** What the originated-leg tests compare in every event (the states, directions, ids and the few headers of other events). */
const EVENT_KEYS = [
  ...new Set([
    ...KEYS,
    "Answer-State",
    "Channel-Call-State",
    "Application-Response",
    "Original-Channel-Call-State",
    "Channel-Call-State-Number",
    "Direction",
    "API-Command",
    "Caller-Caller-ID-Name",
    "Caller-Caller-ID-Number",
    "Caller-Orig-Caller-ID-Number",
    "Caller-Callee-ID-Name",
    "Caller-Callee-ID-Number",
    "Caller-ANI",
    "Caller-Destination-Number",
    "Caller-Source",
    "Caller-Context",
    "Presence-Call-Direction",
  ]),
];

/**
 * Each event against the recorded one at the same place: header names in order, the values of
 * EVENT_KEYS, which times are set, and every variable the simulator sends in the recorded event and
 * in the recorded order.
 */
function sameEvents(t: Test, got: EslFrame[], want: EslFrame[]): void {
  const heads = (f: EslFrame) => (f.eventHeaderNames ?? []).filter((n) => !n.startsWith("variable_"));
  const vars = (f: EslFrame) => (f.eventHeaderNames ?? []).filter((n) => n.startsWith("variable_"));
  const times = (f: EslFrame) => heads(f).filter((n) => n.endsWith("-Time")).map((n) => `${n}=${f.event![n] === "0" ? "0" : "set"}`);
  got.forEach((f, i) => {
    const w = want[i];
    if (!f.event || !w?.event) return;
    const tok = `${i} ${token(f)}`;
    t.same(heads(f), heads(w), `${tok}: header names and order`);
    for (const k of EVENT_KEYS) t.equal(f.event[k], w.event[k], `${tok}: ${k}`);
    t.same(times(f), times(w), `${tok}: which times are set`);
    // Recorded: an outbound leg's progress is stamped with its creation time.
    if (f.event["Caller-Channel-Progress-Time"] !== "0") t.equal(f.event["Caller-Channel-Progress-Time"], f.event["Caller-Channel-Created-Time"], `${tok}: progress time`);
    const inRec = new Set(vars(w));
    const inSim = new Set(vars(f));
    t.same(vars(f).filter((n) => !inRec.has(n)), [], `${tok}: no variable the switch does not send then`);
    t.same(vars(f), vars(w).filter((n) => inSim.has(n)), `${tok}: variables in the recorded order`);
  });
}

t.test("inbound-auth-fail", async (t) => {
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: 1 }, password: PW, trunks: {} });
  const { inboundPort } = await sim.start();
  const c = raw(inboundPort);
  await c.next((f) => f.headers["Content-Type"] === "auth/request");
  c.sock.write("auth not-the-password\n\n");
  await c.closed;
  t.same(c.got.map(token), recTokens("inbound-auth-fail.txt"));
  t.equal(c.got[1]!.headers["Reply-Text"], "-ERR invalid");
  t.match(c.got[2]!.body, /^Disconnected, goodbye\./);
  await sim.stop();
});

t.test("inbound-api-bgapi with modesl", async (t) => {
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: 1 }, password: PW, trunks: { gw1: { kind: "busy", afterMs: 300 } }, timeScale: 0.05 });
  const { inboundPort } = await sim.start();
  const conn = new esl.Connection("127.0.0.1", inboundPort, PW);
  const tap: Buffer[] = [];
  conn.socket.on("data", (d: Buffer) => tap.push(d));
  await new Promise<void>((r) => conn.on("esl::ready", () => r()));
  const api = (cmd: string) => new Promise<string>((r) => conn.api(cmd, (e: { getBody(): string }) => r(e.getBody())));
  t.match(await api("status"), /^UP \d+ years, .*\nFreeSWITCH \(Version 1\.10\.12-release {2}64bit\) is ready\n/);
  t.equal(await api("version"), "FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n");
  t.equal(await api("no_such_command foo"), "-ERR no_such_command Command not found!\n");
  t.equal(await api("uuid_kill 00000000-0000-0000-0000-000000000000"), "-ERR No such channel!\n");
  t.equal(await api("global_getvar rtp_start_port"), "-ERR no reply\n");
  await new Promise((r) => conn.events("plain", "BACKGROUND_JOB", r));
  const job = "b2893dfa-96c8-4dfa-8cbc-dd2dbc535296";
  const st = await new Promise<{ getHeader(k: string): string; getBody(): string }>((r) => conn.bgapi("status", [], job, r));
  t.equal(st.getHeader("Job-UUID"), job);
  t.match(st.getBody(), /^UP /);
  const orig = await new Promise<{ getBody(): string }>((r) => conn.bgapi("originate {origination_caller_id_number=2000}sofia/gateway/gw1/bob &park()", r));
  t.equal(orig.getBody(), "-ERR USER_BUSY\n");
  await new Promise((r) => conn.sendRecv("noevents", r));
  await new Promise<void>((r) => {
    conn.socket.on("close", () => r());
    conn.send("exit");
  });
  const got = new EslFrameReader().push(Buffer.concat(tap));
  // modesl subscribes (`event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE`) right after auth: one extra reply.
  t.equal(got[2]!.headers["Reply-Text"], "+OK event listener enabled json");
  t.same(got.filter((_, i) => i !== 2).map(token), recTokens("inbound-api-bgapi.txt"), "frame sequence");
  const bg = got.filter((f) => f.event?.["Event-Name"] === "BACKGROUND_JOB");
  t.same(bg.map((f) => f.event!["Job-Command"]), ["status", "originate"]);
  t.equal(bg[1]!.eventBody, "-ERR USER_BUSY\n", "event body after the inner Content-Length");
  await sim.stop();
});

t.test("header injection splits one write into two commands; a body does not", async (t) => {
  const { sim, c } = await authed({ trunks: { gw1: { kind: "answer", afterMs: 100 } }, timeScale: 0.05 });
  // The recorded subscription and commands (inbound-header-injection.txt).
  c.sock.write("event plain CHANNEL_ANSWER CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB\n\n");
  const uuid = "f84da370-5b07-4de2-8a2b-3992624b4c17";
  c.sock.write(`bgapi originate {origination_uuid=${uuid}}sofia/gateway/gw1/bob &park()\n\n`);
  // As recorded, park starts after the originate's BACKGROUND_JOB, before our next command arrives.
  await c.next((f) => f.event?.["Event-Name"] === "BACKGROUND_JOB");
  const before = c.got.length;
  c.sock.write(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: log\nexecute-app-arg: INFO caller said hi\n\napi echo INJECTED-COMMAND-RAN\nEvent-UUID: 3a330c26\n\n`);
  const injected = await c.next((f) => f.headers["Content-Type"] === "api/response");
  t.equal(injected.body, "INJECTED-COMMAND-RAN");
  t.same(c.got.slice(before, before + 2).map(token), ["reply", "api/response"], "two replies for one write");
  const text = "INFO caller said hi\n\napi echo NOT-A-COMMAND-NOW\n";
  c.sock.write(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: log\nEvent-UUID: 8696679f\ncontent-type: text/plain\ncontent-length: ${Buffer.byteLength(text)}\n\n${text}`);
  const ex = await c.next((f) => f.event?.["Application-UUID"] === "8696679f" && f.event["Event-Name"] === "CHANNEL_EXECUTE_COMPLETE");
  t.equal(ex.event!["Application-Data"], text, "the body arrives whole as the argument");
  c.sock.write(`api uuid_kill ${uuid}\n\n`);
  await c.next((f) => f.event?.["Event-Name"] === "CHANNEL_HANGUP_COMPLETE");
  c.sock.write("exit\n\n");
  await c.closed;
  t.equal(c.got.filter((f) => f.headers["Content-Type"] === "api/response").length, 2);
  t.same(c.got.map(token), recTokens("inbound-header-injection.txt"), "frame sequence as recorded");
  await sim.stop();
});

t.test("inbound-idle-json-all: HEARTBEAT and RE_SCHEDULE as JSON", async (t) => {
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: 1 }, password: PW, trunks: {}, timeScale: 0.002 });
  const { inboundPort } = await sim.start();
  const c = raw(inboundPort);
  await c.next((f) => f.headers["Content-Type"] === "auth/request");
  c.sock.write(`auth ${PW}\n\nevent json ALL\n\n`);
  await c.next((f) => f.event?.["Event-Name"] === "RE_SCHEDULE");
  c.sock.write("exit\n\n");
  await c.closed;
  const toks = c.got.map(token);
  const rec = recTokens("inbound-idle-json-all.txt");
  t.same(toks.slice(0, 5), rec.slice(0, 5));
  t.same(toks.slice(-2), rec.slice(-2));
  const hb = c.got.find((f) => f.event?.["Event-Name"] === "HEARTBEAT")!;
  t.equal(hb.headers["Content-Type"], "text/event-json");
  t.notOk(hb.body.endsWith("\n"), "JSON events carry no trailing newline");
  await sim.stop();
});

t.test("slow consumer is killed with the recorded notice", async (t) => {
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: 1 }, password: PW, trunks: {}, slowConsumer: { queueLimit: 20, maxLost: 5 } });
  const { inboundPort } = await sim.start();
  const slow = raw(inboundPort);
  await slow.next((f) => f.headers["Content-Type"] === "auth/request");
  slow.sock.write(`auth ${PW}\n\nevent plain CUSTOM fixture::flood\n\n`);
  await slow.next((f) => f.headers["Reply-Text"] === "+OK event listener enabled plain");
  slow.sock.pause();
  const flood = raw(inboundPort);
  await flood.next((f) => f.headers["Content-Type"] === "auth/request");
  flood.sock.write(`auth ${PW}\n\n`);
  const body = "x".repeat(65536);
  let sent = "";
  for (let i = 0; i < 400; i++) sent += `sendevent CUSTOM\nEvent-Subclass: fixture::flood\nSeq: ${i}\ncontent-length: ${body.length}\n\n${body}`;
  flood.sock.write(sent);
  await new Promise((r) => setTimeout(r, 300));
  slow.sock.resume();
  await slow.closed;
  const kill = slow.got.find((f) => f.headers["Content-Type"] === "text/disconnect-notice");
  const rec = readEslFixture(FIX + "esl/slow-consumer-killed-clean-boundary.txt");
  const recKill = rec.frames.find((f) => f.headers["Content-Type"] === "text/disconnect-notice")!;
  t.ok(kill, "disconnect notice received");
  t.equal(kill?.body, recKill.body);
  t.same(kill?.headerNames, recKill.headerNames);
  const seqs = slow.got.filter((f) => f.event).map((f) => Number(f.event!.Seq));
  t.ok(seqs.length < 400, `events were lost (${seqs.length} of 400 delivered)`);
  flood.sock.destroy();
  await sim.stop();
});

t.test("inbound-call-control-json: originate events, sendmsg playback under park, uuid_getvar, uuid_kill", async (t) => {
  const { sim, c } = await authed({ trunks: { gw1: { kind: "answer", afterMs: 1000 } }, timeScale: 0.02 });
  c.sock.write("event json CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB\n\n");
  const uuid = "f8ed2c54-884f-49c8-9049-da9d4ffcd8ab";
  const ev = "34d1b158-4324-48fe-8348-254b20abe516";
  c.sock.write(`bgapi originate {origination_uuid=${uuid},origination_caller_id_number=2000}sofia/gateway/gw1/bob &park()\n\n`);
  await c.next((f) => f.event?.["Event-Name"] === "CHANNEL_ANSWER");
  c.sock.write(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /srv/switch-demo/fs/sounds/tone2s.wav\nevent-lock: true\nEvent-UUID: ${ev}\n\n`);
  await c.next((f) => f.event?.["Event-Name"] === "CHANNEL_EXECUTE_COMPLETE" && f.event["Application-UUID"] === ev);
  c.sock.write(`api uuid_getvar ${uuid} answersec\n\n`);
  const answersec = await c.next((f) => f.headers["Content-Type"] === "api/response");
  c.sock.write(`api uuid_kill ${uuid} NORMAL_CLEARING\n\n`);
  await c.next((f) => f.event?.["Event-Name"] === "CHANNEL_HANGUP_COMPLETE");
  c.sock.write("exit\n\n");
  await c.closed;
  const rec = readEslFixture(FIX + "esl/inbound-call-control-json.txt").frames;
  // The sendmsg reply races BACKGROUND_JOB (both follow CHANNEL_ANSWER): compare without it.
  const withoutSendmsgReply = (fs: EslFrame[]) => {
    const i = fs.findIndex((f) => f.event?.["Event-Name"] === "CHANNEL_ANSWER");
    const j = fs.findIndex((f, k) => k > i && f.headers["Content-Type"] === "command/reply");
    t.equal(fs[j]!.headers["Reply-Text"], "+OK", "sendmsg reply");
    return fs.filter((_, k) => k !== j);
  };
  const got = withoutSendmsgReply(c.got);
  const want = withoutSendmsgReply(rec);
  t.same(got.map(token), want.map(token), "frame sequence");
  sameEvents(t, got, want);
  t.equal(answersec.body, "_undef_", "answersec is undefined while the call is up");
  await sim.stop();
});

t.test("a command whose UTF-8 arrives split across reads is read whole", async (t) => {
  const { sim, c } = await authed({});
  await c.next((f) => f.headers["Reply-Text"] === "+OK accepted");
  // "ü" and "☎" cut inside their UTF-8 sequences, one read each (waits let every piece arrive alone).
  const bytes = Buffer.from("api echo Grüße ☎ ok\n\n");
  const cuts = [0, bytes.indexOf(0xbc), bytes.indexOf(0x98), bytes.length];
  for (let i = 1; i < cuts.length; i++) {
    c.sock.write(bytes.subarray(cuts[i - 1], cuts[i]));
    await new Promise((r) => setTimeout(r, 30));
  }
  const reply = await c.next((f) => f.headers["Content-Type"] === "api/response");
  t.equal(reply.body, "Grüße ☎ ok");
  c.sock.write("api echo plain again\n\n");
  const again = await c.next((f) => f.headers["Content-Type"] === "api/response" && f !== reply);
  t.equal(again.body, "plain again", "reads after a split one go through the decoder too");
  c.sock.destroy();
  await sim.stop();
});

t.test("an outbound session killed as a slow consumer hangs its call up: other listeners get the right frames", async (t) => {
  // The agent floods its channel with executes and stops reading: the session is killed in the
  // middle of delivering an event, the call hangs up from inside that delivery, and a global
  // listener must still see CHANNEL_HANGUP and CHANNEL_HANGUP_COMPLETE rendered as themselves.
  const agentSockets: net.Socket[] = [];
  const agent = net.createServer((sock) => {
    agentSockets.push(sock);
    const reader = new EslFrameReader();
    let flooded = false;
    sock.on("data", (d) => {
      for (const f of reader.push(d)) {
        if (flooded || f.headers["Content-Type"] !== "command/reply" || !f.headers["Unique-ID"]) continue;
        flooded = true;
        let cmds = "myevents plain\n\n";
        for (let i = 0; i < 3000; i++) cmds += `sendmsg\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: flood=${i}\n\n`;
        sock.write(cmds);
        sock.pause();
      }
    });
    sock.on("error", () => undefined);
    sock.write("connect\n\n");
  });
  await new Promise<void>((r) => agent.listen(0, "127.0.0.1", () => r()));
  const port = (agent.address() as net.AddressInfo).port;
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port }, password: PW, trunks: {}, timeScale: 0.01, slowConsumer: { queueLimit: 0, maxLost: 0 } });
  const { inboundPort } = await sim.start();
  const all = raw(inboundPort);
  await all.next((f) => f.headers["Content-Type"] === "auth/request");
  all.sock.write(`auth ${PW}\n\nevent plain ALL\n\n`);
  await all.next((f) => f.headers["Reply-Text"] === "+OK event listener enabled plain");
  const h = sim.placeCall({ caller: "4930123456", dialed: "4989123456" });
  const r = await h.done;
  await all.next((f) => f.event?.["Event-Name"] === "CHANNEL_HANGUP_COMPLETE" && f.event["Unique-ID"] === h.uuid);
  const mine = all.got.filter((f) => f.event?.["Unique-ID"] === h.uuid).map((f) => f.event!);
  t.equal(r.hangupBy, "switch");
  t.equal(mine.filter((e) => e["Event-Name"] === "CHANNEL_HANGUP").length, 1, "one CHANNEL_HANGUP");
  const hangupAt = mine.findIndex((e) => e["Event-Name"] === "CHANNEL_HANGUP");
  t.ok(mine.slice(0, hangupAt).every((e) => e["Answer-State"] !== "hangup"), "no event before CHANNEL_HANGUP is rendered from the hung-up channel");
  t.equal(mine.at(-1)!["Event-Name"], "CHANNEL_HANGUP_COMPLETE", "HANGUP_COMPLETE is the channel's last event");
  all.sock.destroy();
  for (const s of agentSockets) s.destroy();
  agent.close();
  await sim.stop();
});

t.test("inbound-events-plain-all: every event of an originated call, `event plain ALL`", async (t) => {
  const { sim, c } = await authed({ trunks: { gw1: { kind: "answer", afterMs: 1000 } }, timeScale: 0.02 });
  c.sock.write("event plain ALL\n\n");
  const uuid = "c91a0c57-057f-48b8-83ff-158e18930916";
  c.sock.write(`bgapi originate {origination_uuid=${uuid},origination_caller_id_number=2000}sofia/gateway/gw1/bob &park()\n\n`);
  await c.next((f) => f.event?.["Event-Name"] === "CHANNEL_PARK");
  c.sock.write(`api uuid_kill ${uuid}\n\n`);
  await c.next((f) => f.event?.["Event-Name"] === "CHANNEL_STATE" && f.event["Channel-State"] === "CS_DESTROY");
  c.sock.write("exit\n\n");
  await c.closed;
  await sim.stop();
  const rec = readEslFixture(`${FIX}esl/inbound-events-plain-all.txt`).frames;
  // HEARTBEAT and RE_SCHEDULE come on the switch's clock; the recorded run had none in it.
  const calls = (fs: EslFrame[]) => fs.filter((f) => !["HEARTBEAT", "RE_SCHEDULE"].includes(f.event?.["Event-Name"] ?? ""));
  const got = calls(c.got);
  const want = calls(rec);
  t.same(got.map(token), want.map(token), "frame sequence");
  sameEvents(t, got, want);
});
