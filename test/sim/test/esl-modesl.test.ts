// The modesl-bridged-call recording, replayed through the simulator with modesl 1.2.1 itself.
import t from "tap";
import { EslSimulator, readEslFixture } from "../src/index.ts";
import { exec, FIX, frames, modeslServer, send, token } from "./helpers.ts";

t.test("modesl bridged call matches the recording", async (t) => {
  const rec = readEslFixture(FIX + "esl/modesl-bridged-call.txt");
  const agent = await modeslServer({ myevents: true });
  const sim = new EslSimulator({
    agent: { host: "127.0.0.1", port: agent.port },
    trunks: { gw1: { kind: "answer", afterMs: 1000 } },
    timeScale: 0.05,
  });
  await sim.start();
  agent.onReady(async (conn) => {
    conn.on("esl::event::CHANNEL_HANGUP_COMPLETE::*", () => send(conn, "exit"));
    await send(conn, "linger");
    await exec(conn, "pre_answer");
    await exec(conn, "playback", "/srv/switch-demo/fs/sounds/tone2s.wav");
    const done = await exec(conn, "bridge", "sofia/gateway/gw1/bob");
    t.equal(done.getHeader("variable_originate_disposition"), "SUCCESS");
    t.equal(done.getHeader("variable_bridge_hangup_cause"), "NORMAL_CLEARING");
  });
  const r = await sim.placeCall({ caller: "1001", callerName: "Alice Test", dialed: "bridged", hangupAfterAnswerMs: 3000 }).done;
  t.equal(r.hangupCause, "NORMAL_CLEARING");
  t.equal(r.hangupBy, "caller");
  t.equal(r.bridgedGateway, "gw1");
  t.same(r.playbacks, ["/srv/switch-demo/fs/sounds/tone2s.wav"]);
  t.ok(r.earlyMedia);
  await new Promise((res) => setTimeout(res, 100));
  const got = frames(agent.conns[0]!.fromSwitch).map(token);
  const want = rec.frames.map(token);
  const strip = (a: string[]) => a.filter((x) => x !== "notice:linger" && x !== "CHANNEL_PARK");
  t.same(strip(got), strip(want), "frame/event sequence");
  t.ok(got.includes("notice:linger"));
  const ev = frames(agent.conns[0]!.fromSwitch).filter((f) => f.event);
  t.ok(ev.every((f) => f.headers["Content-Type"] === "text/event-json"), "events stay json after `event json` + myevents");
  await sim.stop();
  await agent.close();
});
