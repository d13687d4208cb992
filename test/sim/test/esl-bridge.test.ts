// Recorded bridge scenarios (bridged, busy, failover, no-answer, far-end BYE, cancel) replayed with modesl.
import net from "node:net";
import t from "tap";
import { EslFrameReader, EslSimulator } from "../src/index.ts";
import { exec } from "./helpers.ts";
import { ackBeforeBridge, replay } from "./esl-replay.ts";

// The recordings' trunks (sipp UAS) ring before they answer: 180, then 200 after 1 s.
const answer1s = { kind: "answer", afterMs: 1000, ringMs: 20 } as const;

t.test("bridged-call", (t) =>
  replay(t, {
    file: "bridged-call.txt",
    trunks: { gw1: answer1s },
    spec: { hangupAfterAnswerMs: 3000 },
    script: async (c) => {
      await exec(c, "pre_answer");
      await exec(c, "playback", "/srv/switch-demo/fs/sounds/tone2s.wav");
      await exec(c, "bridge", "{origination_caller_id_number=1001,origination_caller_id_name=Alice}sofia/gateway/gw1/bob");
    },
    check: (t, r) => {
      t.equal(r.hangupBy, "caller");
      t.equal(r.bridgedGateway, "gw1");
      t.ok(r.earlyMedia);
      t.equal(r.attempts.length, 1);
    },
  }),
);

t.test("bridged-call-json", (t) =>
  replay(t, {
    file: "bridged-call-json.txt",
    ackRace: ackBeforeBridge,
    format: "json",
    trunks: { gw1: answer1s },
    spec: { hangupAfterAnswerMs: 3000 },
    script: async (c) => {
      await exec(c, "pre_answer");
      await exec(c, "playback", "/srv/switch-demo/fs/sounds/tone2s.wav");
      await exec(c, "bridge", "{origination_caller_id_number=1001,origination_caller_id_name=Alice}sofia/gateway/gw1/bob");
    },
  }),
);

for (const cof of [true, false]) {
  t.test(cof ? "busy" : "busy-without-continue-on-fail", (t) =>
    replay(t, {
      file: cof ? "busy.txt" : "busy-without-continue-on-fail.txt",
      trunks: { gw1: { kind: "busy", afterMs: 300 } },
      script: async (c) => {
        if (cof) await exec(c, "set", "continue_on_fail=true");
        const done = await exec(c, "bridge", "sofia/gateway/gw1/bob");
        t.equal(done.getHeader("variable_originate_disposition"), "USER_BUSY");
        await new Promise<void>((res) => c.sendRecv(`sendmsg ${c.getInfo().getHeader("Unique-ID")}\ncall-command: hangup\nhangup-cause: USER_BUSY`, () => res()));
      },
      check: (t, r) => {
        t.equal(r.hangupCause, "USER_BUSY");
        t.equal(r.sipCode, 486);
        t.equal(r.hangupBy, cof ? "agent" : "switch");
      },
    }),
  );
  t.test(cof ? "failover-503" : "failover-503-without-continue-on-fail", (t) =>
    replay(t, {
      file: cof ? "failover-503.txt" : "failover-503-without-continue-on-fail.txt",
      trunks: { gw1: { kind: "fail", sipCode: 503, afterMs: 300 }, gw2: answer1s },
      spec: { hangupAfterAnswerMs: 3000 },
      script: async (c) => {
        await exec(c, "pre_answer");
        if (cof) await exec(c, "set", "continue_on_fail=true");
        const first = await exec(c, "bridge", "sofia/gateway/gw1/bob");
        t.equal(first.getHeader("variable_originate_disposition"), "NORMAL_TEMPORARY_FAILURE");
        if (cof) await exec(c, "bridge", "sofia/gateway/gw2/bob");
      },
      check: (t, r) => {
        t.same(
          r.attempts.map((a) => [a.gateway, a.sipCode]),
          cof ? [["gw1", 503], ["gw2", 200]] : [["gw1", 503]],
        );
        t.equal(r.answered, cof);
      },
    }),
  );
}

for (const leg of [false, true]) {
  t.test(leg ? "no-answer-leg-timeout" : "no-answer", (t) =>
    replay(t, {
      file: leg ? "no-answer-leg-timeout.txt" : "no-answer.txt",
      trunks: { gw1: { kind: "noanswer" } },
      script: async (c) => {
        await exec(c, "set", "continue_on_fail=true");
        if (!leg) await exec(c, "set", "call_timeout=4");
        const done = await exec(c, "bridge", leg ? "{leg_timeout=4}sofia/gateway/gw1/bob" : "sofia/gateway/gw1/bob");
        const cause = done.getHeader("variable_originate_disposition");
        await new Promise<void>((res) => c.sendRecv(`sendmsg ${c.getInfo().getHeader("Unique-ID")}\ncall-command: hangup\nhangup-cause: ${cause}`, () => res()));
      },
      check: (t, r) => t.equal(r.hangupCause, leg ? "ALLOTTED_TIMEOUT" : "NO_ANSWER"),
    }),
  );
}

t.test("far-end-bye", (t) =>
  replay(t, {
    file: "far-end-bye.txt",
    trunks: { gw1: { ...answer1s, hangupAfterMs: 2000 } },
    script: async (c) => {
      await exec(c, "pre_answer");
      const done = await exec(c, "bridge", "sofia/gateway/gw1/bob");
      t.equal(done.getHeader("Answer-State"), "answered", "caller leg stays up after the far end's BYE");
      await exec(c, "hangup", "NORMAL_CLEARING");
    },
  }),
);

t.test("caller-cancel-while-ringing", (t) =>
  replay(t, {
    file: "caller-cancel-while-ringing.txt",
    trunks: { gw1: { kind: "noanswer" } },
    spec: { hangupAfterMs: 2000 },
    timeScale: 0.1,
    script: async (c) => {
      await exec(c, "set", "continue_on_fail=true");
      await exec(c, "bridge", "sofia/gateway/gw1/bob");
    },
    check: (t, r) => {
      t.equal(r.hangupCause, "ORIGINATOR_CANCEL");
      t.equal(r.sipCode, 487);
      t.equal(r.hangupBy, "caller");
    },
  }),
);

t.test("a ringing bridge cut by our own hangup after an earlier failed one: the B leg's 487, not the old failure", async (t) => {
  // gw1 answers 503 (sip_invite_failure_status 503); with continue_on_fail a second bridge rings on
  // gw2 and uuid_kill ends the call: the ringing leg is cancelled, so the status is 487 again.
  const got: Record<string, string>[] = [];
  const agent = net.createServer((sock) => {
    const reader = new EslFrameReader();
    let uuid = "";
    sock.on("error", () => undefined);
    sock.on("data", (d: Buffer) => {
      for (const f of reader.push(d)) {
        const e = f.event;
        if (f.headers["Event-Name"] === "CHANNEL_DATA") {
          uuid = f.headers["Unique-ID"]!;
          const x = (app: string, arg: string) => `sendmsg\ncall-command: execute\nexecute-app-name: ${app}\nexecute-app-arg: ${arg}\n\n`;
          sock.write(`myevents\n\n${x("set", "continue_on_fail=true")}${x("bridge", "sofia/gateway/gw1/bob")}`);
        }
        if (!e) continue;
        got.push(e);
        if (e["Event-Name"] === "CHANNEL_EXECUTE_COMPLETE" && e.Application === "bridge")
          sock.write("sendmsg\ncall-command: execute\nexecute-app-name: bridge\nexecute-app-arg: sofia/gateway/gw2/bob\n\n");
        if (e["Event-Name"] === "CHANNEL_PROGRESS") sock.write(`api uuid_kill ${uuid}\n\n`);
      }
    });
    sock.write("connect\n\n");
  });
  await new Promise<void>((r) => agent.listen(0, "127.0.0.1", () => r()));
  const sim = new EslSimulator({
    agent: { host: "127.0.0.1", port: (agent.address() as net.AddressInfo).port },
    trunks: { gw1: { kind: "fail", sipCode: 503, afterMs: 50 }, gw2: { kind: "noanswer" } },
    timeScale: 0.1,
  });
  await sim.start();
  await sim.placeCall({ caller: "4930123456", dialed: "4989123456" }).done;
  await sim.stop();
  await new Promise<void>((r) => agent.close(() => r()));
  const first = got.find((e) => e["Event-Name"] === "CHANNEL_EXECUTE_COMPLETE" && e.Application === "bridge")!;
  t.equal(first.variable_sip_invite_failure_status, "503", "the first bridge's failure");
  const end = got.find((e) => e["Event-Name"] === "CHANNEL_HANGUP_COMPLETE")!;
  t.equal(end.variable_DIALSTATUS, "CANCEL");
  t.equal(end.variable_sip_invite_failure_status, "487", "the cancelled ringing leg's status");
});
