// Recorded application scenarios: hangup during playback (linger N / no linger), nested vs
// event-lock executes, sched_hangup over the socket and via execute_on_answer.
import t from "tap";
import { exec, send } from "./helpers.ts";
import { ackBeforeBridge, replay } from "./esl-replay.ts";

const tone15 = "tone_stream://%(1000,0,440);loops=15";

for (const linger of ["3", null] as const) {
  t.test(linger ? "caller-hangup-during-playback" : "no-linger-caller-hangup", (t) =>
    replay(t, {
      file: linger ? "caller-hangup-during-playback.txt" : "no-linger-caller-hangup.txt",
      linger,
      exitOnComplete: false,
      spec: { hangupDuringAnnouncementMs: 2000 },
      timeScale: 0.1,
      script: async (c) => {
        await exec(c, "answer");
        const done = await exec(c, "playback", tone15);
        t.equal(done.getHeader("Application-Response"), "PLAYBACK ERROR");
        if (linger) {
          // A sendmsg to the dead channel still gets +OK, and no events follow.
          const reply = await send(c, `sendmsg ${c.getInfo().getHeader("Unique-ID")}`, {
            "call-command": "execute",
            "execute-app-name": "playback",
            "execute-app-arg": "/srv/switch-demo/fs/sounds/tone2s.wav",
          });
          t.equal(reply.getHeader("Reply-Text"), "+OK");
        }
      },
      check: (t, r) => {
        t.equal(r.hangupBy, "caller");
        t.equal(r.hangupCause, "NORMAL_CLEARING");
        t.same(r.playbacks, [tone15]);
      },
    }),
  );
}

t.test("queued-executes-event-lock", (t) =>
  replay(t, {
    file: "queued-executes-event-lock.txt",
    timeScale: 0.05,
    script: async (c) => {
      await exec(c, "answer");
      // Without event-lock the second playback nests inside the first: completions in reverse order.
      const order: string[] = [];
      const a = exec(c, "playback", "tone_stream://%(1000,0,440);loops=3").then(() => order.push("first"));
      const b = exec(c, "playback", "/srv/switch-demo/fs/sounds/tone2s.wav").then(() => order.push("second"));
      await Promise.all([a, b]);
      t.same(order, ["second", "first"], "nested completions come back in reverse order");
      order.length = 0;
      c.setEventLock(true);
      const x = exec(c, "playback", "tone_stream://%(1000,0,440);loops=3").then(() => order.push("first"));
      c.setEventLock(false);
      const y = exec(c, "playback", "/srv/switch-demo/fs/sounds/tone2s.wav").then(() => order.push("second"));
      await Promise.all([x, y]);
      t.same(order, ["first", "second"], "event-lock holds the second until the first ends");
      await send(c, `sendmsg ${c.getInfo().getHeader("Unique-ID")}`, { "call-command": "hangup", "hangup-cause": "NORMAL_CLEARING" });
    },
    check: (t, r) => t.equal(r.hangupBy, "agent"),
  }),
);

t.test("sched-hangup", (t) =>
  replay(t, {
    file: "sched-hangup.txt",
    timeScale: 0.1,
    script: async (c, uuid) => {
      await exec(c, "answer");
      const res = await new Promise<{ getBody(): string }>((r) => c.api(`sched_hangup +3 ${uuid} ALLOTTED_TIMEOUT`, r));
      t.equal(res.getBody(), "+OK\n");
      const done = await exec(c, "playback", "tone_stream://%(1000,0,440);loops=20");
      t.equal(done.getHeader("Application-Response"), "FILE PLAYED", "advisory response after sched_hangup");
    },
    check: (t, r) => {
      t.equal(r.hangupCause, "ALLOTTED_TIMEOUT");
      t.equal(r.hangupBy, "switch");
      t.equal(r.q850, 16);
    },
  }),
);

t.test("sched-hangup-execute-on-answer", (t) =>
  replay(t, {
    file: "sched-hangup-execute-on-answer.txt",
    ackRace: ackBeforeBridge,
    timeScale: 0.1,
    trunks: { gw1: { kind: "answer", afterMs: 1000, ringMs: 40 } },
    script: async (c) => {
      await exec(c, "set", "execute_on_answer=sched_hangup +3 ALLOTTED_TIMEOUT");
      await exec(c, "bridge", "sofia/gateway/gw1/bob");
    },
    check: (t, r, got) => {
      t.equal(r.hangupCause, "ALLOTTED_TIMEOUT");
      const sched = got.find((f) => f.event?.Application === "sched_hangup");
      t.ok(sched, "execute_on_answer shows up as CHANNEL_EXECUTE with its own Application-UUID");
    },
  }),
);

t.test("hostile caller id stays inside its header (URL-encoded plain, escaped JSON)", (t) =>
  replay(t, {
    file: "no-linger-caller-hangup.txt",
    linger: null,
    exitOnComplete: false,
    spec: { caller: "1001\n\nContent-Type: text/evil", callerName: "Eve\r\nX: y", hangupDuringAnnouncementMs: 2000 },
    timeScale: 0.1,
    script: async (c) => {
      t.equal(c.getInfo().getHeader("Caller-Caller-ID-Number"), "1001\n\nContent-Type: text/evil");
      await exec(c, "answer");
      await exec(c, "playback", tone15);
    },
    check: (t, r, got) => {
      t.equal(r.hangupBy, "caller");
      t.notOk(got.some((f) => f.headers["Content-Type"] === "text/evil"), "no injected frame");
      t.ok(got.filter((f) => f.event).every((f) => f.event!["Caller-Caller-ID-Number"] === "1001\n\nContent-Type: text/evil"));
    },
  }),
);
