// ARI connect, REST operations and error shapes, WebSocket rules and fault modes, against the recordings.
import ari from "ari-client";
import t from "tap";
import { WebSocket } from "ws";
import { AriSimulator, readAriFixture } from "../src/index.ts";
import { FIX } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: ari-client is untyped
type Any = any;
const rec = (f: string) => readAriFixture(FIX + "ari/" + f);
const errBody = (e: unknown) => JSON.parse((e as Error).message);
const trunks = { trunk1: { kind: "answer", afterMs: 200 } as const };

async function setup(t: Any, extra: object = {}) {
  const sim = new AriSimulator({ username: "ari", password: "ari", trunks, timeScale: 0.05, ...extra });
  const { url } = await sim.start();
  t.teardown(() => sim.stop());
  return { sim, url };
}

t.test("connect: probe, documents, operations, 404 shapes", async (t) => {
  const { sim, url } = await setup(t);
  const probe = await fetch(`${url}/ari/api-docs/resources.json`);
  const recProbe = rec("connect.jsonl").find((r) => r.kind === "http_response")!;
  t.equal(probe.status, recProbe.status, "unauthenticated probe gets 401");
  t.match(probe.headers.get("www-authenticate"), /^Basic/);
  t.same(await probe.json(), recProbe.body);
  const docs = rec("connect.jsonl").filter((r) => r.kind === "http_request" && r.path!.startsWith("/ari/api-docs/") && r.headers?.authorization);
  const res = await fetch(`${url}/ari/api-docs/resources.json`, { headers: { authorization: `Basic ${Buffer.from("ari:ari").toString("base64")}` } });
  const list = (await res.json()) as Any;
  t.equal(list.swaggerVersion, "1.1");
  t.equal(list.basePath, `${url}/ari`, "absolute basePath from the Host header");
  t.same(list.apis.map((a: Any) => `/ari/api-docs/${a.path.slice(10).replace(".{format}", ".json")}`).sort(), docs.slice(1).map((r) => r.path).sort(), "same 11 documents as Asterisk");
  const client = await ari.connect(url, "ari", "ari");
  await client.start("callctl");
  const info = await client.asterisk.getInfo();
  t.same(Object.keys(info).sort(), ["build", "config", "status", "system"]);
  t.same(await client.channels.list(), []);
  t.same((await client.applications.list()).map((a: Any) => a.name), ["callctl"]);
  t.same((await client.endpoints.list()).map((e: Any) => e.resource), ["trunk1"]);
  const recErr = rec("connect.jsonl").filter((r) => r.kind === "http_response" && r.status === 404);
  for (const op of [() => client.channels.get({ channelId: "does-not-exist" }), () => client.channels.hangup({ channelId: "does-not-exist" })]) {
    const e = await op().then(() => undefined, (x: unknown) => x);
    t.same(errBody(e), recErr[0]!.body);
  }
  // originate-errors
  const oe = rec("originate-errors.jsonl").filter((r) => r.kind === "http_response" && !r.path!.includes("api-docs"));
  const errs = await Promise.all([
    client.channels.originate({ endpoint: "PJSIP/123@nosuchtrunk", app: "callctl", timeout: 5 }),
    client.channels.originate({ endpoint: "FOO/123", app: "callctl", timeout: 5 }),
    client.channels.originate({ endpoint: "PJSIP/123@trunk1" }),
    client.channels.play({ channelId: "nope", media: "sound:hello-world" }),
    client.bridges.addChannel({ bridgeId: "nope", channel: "x" }),
    client.channels.hangup({ channelId: "nope", reason: "bogus" }),
  ].map((p) => p.then(() => undefined, errBody)));
  t.same(errs, oe.slice(0, 6).map((r) => r.body), "error bodies as recorded");
  // A call through every operation the flow needs.
  const got: string[] = [];
  client.on("*", (e: Any) => got.push(e.type));
  client.on("StasisStart", async (ev: Any, ch: Any) => {
    if (ev.args.length) return;
    await ch.ring();
    await ch.ringStop();
    await ch.progress();
    await ch.answer();
    await ch.setChannelVar({ variable: "X", value: "1" });
    t.same(await ch.getChannelVar({ variable: "X" }), { value: "1" });
    const pb = client.Playback();
    await ch.play({ media: "sound:hello-world" }, pb);
    t.equal((await client.playbacks.get({ playbackId: pb.id })).id, pb.id);
    await pb.stop();
    const b = client.Channel();
    b.once("StasisStart", async (_e: Any, bch: Any) => {
      const br = client.Bridge();
      await br.create({ type: "mixing" });
      await br.addChannel({ channel: [ch.id, bch.id] });
      t.equal((await client.bridges.get({ bridgeId: br.id })).channels.length, 2);
      await br.removeChannel({ channel: bch.id });
      await bch.hangup();
      await br.destroy();
      await ch.continueInDialplan();
    });
    await b.originate({ endpoint: "PJSIP/4930123456@trunk1", app: "callctl", appArgs: `dialed,${ch.id}`, callerId: "+49309991" });
  });
  const r = await sim.placeCall({ caller: "+49309991", dialed: "4930123456" }).done;
  t.equal(r.answered, true);
  t.ok(got.includes("BridgeDestroyed") && got.includes("ChannelDestroyed"));
  await client.stop();
});

t.test("reject-reasons: reason → cause → SIP response", async (t) => {
  const { sim, url } = await setup(t);
  const client = await ari.connect(url, "ari", "ari");
  await client.start("callctl");
  const want: Record<string, number> = { normal: 603, busy: 486, congestion: 503, no_answer: 480, timeout: 408, rejected: 403, unallocated: 404, normal_unspecified: 480, number_incomplete: 484, codec_mismatch: 488, interworking: 500, failure: 500, answered_elsewhere: 603 };
  for (const [reason, sip] of Object.entries(want)) {
    const h = sim.placeCall({ caller: "1", dialed: reason });
    await new Promise<void>((res) => client.once("StasisStart", (_e: Any, ch: Any) => void ch.hangup({ reason }).then(() => res())));
    t.equal((await h.done).sipCode, sip, reason);
  }
  const h = sim.placeCall({ caller: "1", dialed: "bad" });
  await new Promise<void>((res) =>
    client.once("StasisStart", async (_e: Any, ch: Any) => {
      const e = await ch.hangup({ reason: "noanswer" }).then(() => undefined, errBody);
      t.same(e, { message: "Invalid reason for hangup reason provided" });
      await ch.hangup({ reason: "no_answer" });
      res();
    }),
  );
  t.equal((await h.done).sipCode, 480);
  await client.stop();
});

t.test("race: BYE right after answer makes play 404", async (t) => {
  const { sim, url } = await setup(t);
  const client = await ari.connect(url, "ari", "ari");
  await client.start("callctl");
  const h = sim.placeCall({ caller: "1", dialed: "2", hangupAfterAnswerMs: 0 });
  const e = await new Promise((res) =>
    client.once("StasisStart", async (_e: Any, ch: Any) => {
      await ch.answer();
      await new Promise((r) => setTimeout(r, 20));
      res(await ch.play({ media: "sound:pls-hold-while-try" }).then(() => undefined, errBody));
    }),
  );
  t.same(e, rec("race-bye-right-after-answer.jsonl").filter((r) => r.kind === "http_response" && r.status === 404)[0]!.body);
  t.equal((await h.done).hangupBy, "caller");
  await client.stop();
});

t.test("WebSocket: ApplicationReplaced, 401, 400; unknown event types never leave", async (t) => {
  const { sim, url } = await setup(t);
  const ws = url.replace("http", "ws") + "/ari/events";
  const open = (q: string) =>
    new Promise<{ ws?: WebSocket; status?: number }>((res) => {
      const s = new WebSocket(`${ws}?${q}`);
      s.on("open", () => res({ ws: s }));
      s.on("unexpected-response", (_req, r) => res({ status: r.statusCode }));
    });
  const first = (await open("app=callctl&api_key=ari:ari")).ws!;
  const msgs: string[] = [];
  first.on("message", (m) => msgs.push(String(m)));
  const second = (await open("app=callctl&api_key=ari:ari")).ws!;
  await new Promise((r) => setTimeout(r, 50));
  t.same(msgs.map((m) => JSON.parse(m).type), ["ApplicationReplaced"]);
  t.equal(first.readyState, WebSocket.OPEN, "the old socket stays open, silent");
  t.equal((await open("app=callctl&api_key=ari:wrong")).status, 401);
  t.equal((await open("api_key=ari:ari")).status, 400);
  second.close();
  first.close();
  const client = await ari.connect(url, "ari", "ari");
  await client.start("callctl");
  let crashed = false;
  const onErr = () => {
    crashed = true;
  };
  process.on("uncaughtException", onErr);
  t.equal(sim.emit("callctl", { type: "NoSuchEventType" }), false);
  await new Promise((r) => setTimeout(r, 50));
  process.off("uncaughtException", onErr);
  t.equal(crashed, false, "ari-client never sees the unknown type");
  t.equal(sim.droppedEvents, 1);
  await client.stop();
});

t.test("faults: session limit hangs requests; WebSocket drop; restart", async (t) => {
  const { sim, url } = await setup(t);
  const client = await ari.connect(url, "ari", "ari");
  await client.start("callctl");
  sim.setSessionLimit(sim.openSessions > 0 ? 1 : 0); // only the WebSocket's session is left
  let settled = false;
  client.channels.list().then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, 500));
  t.equal(settled, false, "past sessionlimit the ari-client promise does not settle");
  sim.setSessionLimit(1000);
  const reconnecting = new Promise<void>((r) => client.once("WebSocketReconnecting", () => r()));
  const connected = new Promise<void>((r) => client.once("WebSocketConnected", () => r()));
  sim.faults.dropWebSocket();
  await reconnecting;
  await connected;
  t.pass("ari-client sees the WebSocket drop and reconnects");
  await client.stop();
  await sim.faults.restart();
  const res = await fetch(`${url}/ari/asterisk/info`, { headers: { authorization: `Basic ${Buffer.from("ari:ari").toString("base64")}` } });
  t.equal(res.status, 200, "same URL after restart");
});

t.test("empty ids are no ids (Asterisk makes one); a malformed escape in a path is a 404, not a 500", async (t) => {
  const logged: string[] = [];
  const { url } = await setup(t, { log: (s: string) => logged.push(s) });
  const auth = { authorization: `Basic ${Buffer.from("ari:ari").toString("base64")}` };
  const post = async (path: string) => (await fetch(`${url}/ari/${path}`, { method: "POST", headers: auth })).json() as Promise<Any>;
  const bridge = await post("bridges?type=mixing&bridgeId=");
  t.match(bridge.id, /^[0-9a-f-]{36}$/, "bridge: generated id");
  const chan = await post("channels?endpoint=PJSIP/4989123@trunk1&app=callctl&channelId=");
  t.match(chan.id, /^\d+\.\d+$/, "channel: generated id");
  const bad = await fetch(`${url}/ari/channels/%E0%A4%A`, { headers: auth });
  t.equal(bad.status, 404);
  t.same(await bad.json(), { message: "Channel not found" });
  t.same(logged, [], "nothing reached the catch-all 500");
});
