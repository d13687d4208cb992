// ESL fault modes (socket drop, switch restart), the fixture reader/parser on every recording, and
// the LoadGenerator against both simulators.
import { readdirSync } from "node:fs";
import net from "node:net";
import esl from "modesl";
import t from "tap";
import { AriSimulator, EslSimulator, LoadGenerator, parseEslFrames, readEslFixture } from "../src/index.ts";
import { FIX, modeslServer, send } from "./helpers.ts";

t.test("every ESL recording reparses by Content-Length; plain values are URL-decoded", async (t) => {
  for (const f of readdirSync(FIX + "esl").filter((x) => x.endsWith(".txt"))) {
    const fx = readEslFixture(FIX + "esl/" + f);
    t.ok(fx.frames.length > 0, f);
    if (!f.startsWith("slow-consumer")) t.equal(fx.leftover.length, 0, `${f}: whole frames`);
    const again = parseEslFrames(fx.fromSwitch);
    t.equal(again.frames.length, fx.frames.length, `${f}: one-shot parse agrees with chunked parse`);
  }
  const fx = readEslFixture(FIX + "esl/bridged-call.txt");
  const ev = fx.frames.find((f) => f.event?.["Event-Name"] === "CHANNEL_EXECUTE")!;
  t.equal(ev.event!["Caller-Caller-ID-Name"], "Alice Test");
  const json = readEslFixture(FIX + "esl/bridged-call-json.txt").frames.find((f) => f.event);
  t.equal(json?.headers["Content-Type"], "text/event-json");
});

t.test("dropAll closes every socket; the call ends, hung up by the switch", async (t) => {
  const agent = await modeslServer();
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: agent.port }, trunks: {}, password: "pw", timeScale: 0.05 });
  const { inboundPort } = await sim.start();
  const inbound = new esl.Connection("127.0.0.1", inboundPort, "pw");
  inbound.on("error", () => undefined);
  await new Promise<void>((r) => inbound.on("esl::ready", () => r()));
  const inboundClosed = new Promise<void>((r) => inbound.socket.on("close", () => r()));
  const closed = new Promise<void>((r) => agent.onReady((c) => {
    c.socket.on("close", () => r());
    void send(c, "myevents").then(() => sim.faults.dropAll());
  }));
  const r = await sim.placeCall({ caller: "1", dialed: "2" }).done;
  await closed;
  await inboundClosed;
  t.equal(r.hangupBy, "switch");
  t.equal(r.hangupCause, "NORMAL_CLEARING");
  await sim.faults.restart();
  const again = new esl.Connection("127.0.0.1", inboundPort, "pw");
  again.on("error", () => undefined);
  await new Promise<void>((r2) => again.on("esl::ready", () => r2()));
  const core = await new Promise<string>((r2) => again.api("status", (e: { getBody(): string }) => r2(e.getBody())));
  t.match(core, /^UP 0 years, 0 days, 0 hours, 0 minutes, 0 seconds/, "restarted: fresh uptime, same port");
  again.disconnect();
  await sim.stop();
  await agent.close();
});

t.test("LoadGenerator drives the ESL simulator with a mix", async (t) => {
  const srv = net.createServer({ noDelay: true }, (s) => {
    let sent = false;
    s.setEncoding("latin1");
    s.on("data", (d: string) => {
      const m = /\nUnique-ID: ([0-9a-f-]{36})\n/.exec(d);
      if (sent || !m) return;
      sent = true;
      s.write(`myevents\n\nsendmsg\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: welcome-300ms\nEvent-UUID: a\n\nsendmsg\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: hangup_after_bridge=true\nEvent-UUID: b\n\nsendmsg\ncall-command: execute\nexecute-app-name: bridge\nexecute-app-arg: {call_timeout=2}sofia/gateway/gw1/${m[1]}\nEvent-UUID: c\n\n`);
    });
    s.on("error", () => undefined);
    s.write("connect\n\n");
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: (srv.address() as net.AddressInfo).port }, trunks: {}, timeScale: 0.1 });
  await sim.start();
  const report = await new LoadGenerator({
    target: sim,
    cps: 200,
    calls: 200,
    rnd: mulberry(7),
    mix: {
      destinations: ["4930111", "4930222", "4930333"],
      holdMs: [100, 300],
      announcementHangupShare: 0.2,
      announcementHangupMs: 100,
      trunks: {
        gw1: { kind: "mix", choices: [
          { weight: 6, behaviour: { kind: "answer", afterMs: 200, ringMs: 50 } },
          { weight: 2, behaviour: { kind: "busy", afterMs: 50 } },
          { weight: 1, behaviour: { kind: "fail", sipCode: 503, afterMs: 50 } },
          { weight: 1, behaviour: { kind: "noanswer" } },
        ] },
      },
    },
  }).run();
  t.equal(report.started, 200);
  t.equal(report.completed, 200);
  t.equal(Object.values(report.byOutcome).reduce((a, b) => a + b, 0), 200);
  for (const k of ["answered", "USER_BUSY", "NORMAL_TEMPORARY_FAILURE", "NO_ANSWER", "ORIGINATOR_CANCEL"]) t.ok(report.byOutcome[k], `outcome ${k} present`);
  t.ok(report.pdd.n > 0 && report.pdd.p50 <= report.pdd.p99);
  await sim.stop();
  await new Promise<void>((r) => srv.close(() => r()));
});

t.test("LoadGenerator drives the ARI simulator (calls nobody handles end when Stasis is missing)", async (t) => {
  const sim = new AriSimulator({ username: "u", password: "p", trunks: {} });
  await sim.start();
  const report = await new LoadGenerator({ target: sim, cps: 100, calls: 20, mix: { destinations: ["1"] } }).run();
  t.same(report.byOutcome, { NORMAL_TEMPORARY_FAILURE: 20 });
  await sim.stop();
});

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
