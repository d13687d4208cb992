// sendmsg `loops`, as FreeSWITCH 1.10's switch_ivr_parse_event runs it: the application again and
// again in turn, `atoi(loops)` times (0: never; negative: while the channel lives), and no further
// once a run took under half a second. It used to queue every run at once: `loops:
// 99999999999999999999` froze the simulator (found by esl-fuzz.test.ts).
import net from "node:net";
import t from "tap";
import { EslFrameReader, EslSimulator } from "../src/index.ts";
import { atoi } from "../src/esl/session.ts";

t.test("atoi reads a number header as glibc does", async (t) => {
  for (const [s, n] of [
    ["3", 3],
    [" 12abc", 12],
    ["+7", 7],
    ["-1", -1],
    ["abc", 0],
    ["", 0],
    ["4294967297", 1],
    ["99999999999999999999", -1],
    ["-99999999999999999999", 0],
  ] as const) {
    t.equal(atoi(s), n, JSON.stringify(s));
  }
});

/** One call whose agent subscribes and sends one sendmsg; the events of it, as `Event(App)` tokens. */
async function run(headers: string, hangupAfterMs = 400): Promise<{ reply: string; events: string[]; loopVars: string[] }> {
  let reply = "";
  const events: string[] = [];
  /** `current_loop/total_loops` of each CHANNEL_EXECUTE. */
  const loopVars: string[] = [];
  const agent = net.createServer((sock) => {
    const reader = new EslFrameReader();
    sock.on("error", () => undefined);
    sock.on("data", (d: Buffer) => {
      for (const f of reader.push(d)) {
        if (f.headers["Event-Name"] === "CHANNEL_DATA") sock.write(`myevents\n\nsendmsg\ncall-command: execute\n${headers}\n`);
        else if (f.headers["Reply-Text"] && f.headers["Reply-Text"] !== "+OK Events Enabled") reply = f.headers["Reply-Text"];
        const e = f.event;
        if (e && /EXECUTE/.test(e["Event-Name"]!) && e.Application !== "socket") events.push(`${e["Event-Name"]}(${e.Application})`);
        if (e?.["Event-Name"] === "CHANNEL_EXECUTE") loopVars.push(`${e.variable_current_loop}/${e.variable_total_loops}`);
      }
    });
    sock.write("connect\n\n");
  });
  await new Promise<void>((r) => agent.listen(0, "127.0.0.1", () => r()));
  const sim = new EslSimulator({ agent: { host: "127.0.0.1", port: (agent.address() as net.AddressInfo).port }, trunks: {}, timeScale: 0.05, log: () => undefined });
  await sim.start();
  await sim.placeCall({ caller: "4930123456", dialed: "4989123456", hangupAfterMs: hangupAfterMs / 0.05 }).done;
  await sim.stop();
  await new Promise<void>((r) => agent.close(() => r()));
  return { reply, events, loopVars };
}

const E = "CHANNEL_EXECUTE";
const C = "CHANNEL_EXECUTE_COMPLETE";

t.test("loops: 3 plays a 1 s prompt three times in turn", async (t) => {
  const { reply, events, loopVars } = await run("execute-app-name: playback\nexecute-app-arg: 1s.wav\nloops: 3\n");
  t.equal(reply, "+OK");
  t.same(loopVars, ["1/3", "2/3", "3/3"], "current_loop/total_loops, as FreeSWITCH sets them");
  t.same(events, [`${E}(playback)`, `${C}(playback)`, `${E}(playback)`, `${C}(playback)`, `${E}(playback)`, `${C}(playback)`]);
});

t.test("a run under half a second ends the loop: answer with loops: 5 runs once", async (t) => {
  const { events } = await run("execute-app-name: answer\nloops: 5\n");
  t.same(events, [`${E}(answer)`, `${C}(answer)`]);
});

t.test("loops: 0 (or no number) runs nothing after the +OK", async (t) => {
  for (const loops of ["0", "abc"]) {
    const { reply, events } = await run(`execute-app-name: answer\nloops: ${loops}\n`);
    t.equal(reply, "+OK");
    t.same(events, [], `loops: ${loops}`);
  }
});

t.test("loops: 99999999999999999999 (atoi -1) plays until the caller hangs up, and the simulator keeps running", async (t) => {
  const { events } = await run("execute-app-name: playback\nexecute-app-arg: 1s.wav\nloops: 99999999999999999999\n", 160);
  const plays = events.filter((e) => e === `${E}(playback)`).length;
  t.ok(plays >= 2, `${plays} runs of the 1 s prompt in the call's 3.2 s`);
  t.equal(events.at(-1), `${C}(playback)`, "the last run completes at the hangup");
});
