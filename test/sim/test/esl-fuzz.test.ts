// Hostile agents: whatever an ESL client sends (commands, headers, bodies, bytes), the simulator
// answers or closes that one connection; it never throws, never leaks a call, and keeps serving
// everyone else. A driver under test may be the broken party, and the simulator must outlive it.
// FUZZ_RUNS (default 60), FUZZ_SEED (replay a failure), FUZZ_HIST=1 (the replies and events the runs
// reached, printed at exit). It found sendmsg `loops: 99999999999999999999` freezing the simulator.
import net from "node:net";
import fc from "fast-check";
import t from "tap";
import { EslFrameReader, EslSimulator } from "../src/index.ts";
import { captureThrown, fuzzOptions, reachedCounter, sleep } from "./helpers.ts";

const PW = "Fuzz-Pw";

const word = fc.oneof(
  fc.constantFrom("", " ", "0", "-1", "99999999999999999999", "true", "json", "plain", "xml", "all", "ALL", "CUSTOM", "Unique-ID", "CHANNEL_ANSWER", "park", "NORMAL_CLEARING", "%", "%ZZ", "{", "}", "[", "]", "|", ",", "=", "/", "\\", "\t"),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
);
const words = fc.array(word, { maxLength: 5 }).map((w) => w.join(" "));
/** `$UUID` stands for the run's live call. */
const uuidish = fc.oneof(fc.constant("$UUID"), fc.constant("$UUID"), fc.uuid(), fc.constant("00000000-0000-0000-0000-000000000000"), word);
const header = fc.tuple(fc.oneof(fc.constantFrom("call-command", "execute-app-name", "execute-app-arg", "loops", "event-lock", "Event-UUID", "content-type", "hangup-cause", "Content-Length"), word), word);
const dialString = fc.oneof(
  fc.tuple(words, word, word).map(([g, gw, n]) => `{${g}}sofia/gateway/${gw}/${n}`),
  fc.tuple(word, word).map(([a, b]) => `[${a}]${b}|error/${b},sofia/external/${a}@${b}`),
  words,
);
const api = fc.oneof(
  fc.tuple(fc.constantFrom("status", "version", "show channels", "show calls", "hupall", "global_getvar"), words).map(([c, a]) => `${c} ${a}`),
  fc.tuple(fc.constantFrom("uuid_kill", "uuid_answer", "uuid_exists", "uuid_getvar", "uuid_setvar", "uuid_broadcast", "sched_hangup", "sched_del"), uuidish, words).map(([c, u, a]) => `${c} ${u} ${a}`),
  fc.tuple(dialString, fc.constantFrom("&park()", "&echo()", "", "&"), words).map(([d, app, a]) => `originate ${d} ${app} ${a}`),
  words,
);
const app = fc.tuple(
  fc.constantFrom("answer", "pre_answer", "ring_ready", "bridge", "set", "export", "unset", "playback", "play_file", "speak", "sleep", "sched_hangup", "respond", "park", "hangup", "no_such_app"),
  fc.oneof(dialString, words, fc.tuple(word, word).map(([k, v]) => `${k}=${v}`)),
);
const headers = fc.array(header, { maxLength: 3 }).map((hs) => hs.map(([k, v]) => `${k}: ${v}\n`).join(""));
/** One command frame (or junk) as an ESL client would write it. */
const command = fc.oneof(
  { weight: 3, arbitrary: api.map((a) => `api ${a}\n\n`) },
  { weight: 1, arbitrary: api.map((a) => `bgapi ${a}\nJob-UUID: ${"x".repeat(3)}\n\n`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom("event plain ALL", "event json ALL", "event", "nixevent", "myevents", "myevents $UUID", "filter", "filter Unique-ID $UUID", "filter delete", "divert_events", "linger", "log", "getvar", "resume", "noevents", "nolinger", "nolog", "connect", "auth"), words)
      .map(([c, a]) => `${c} ${a}\n\n`),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.option(fc.constant("$UUID"), { nil: undefined, freq: 2 }), app, headers)
      .map(([u, [name, arg], hs]) => `sendmsg${u ? ` ${u}` : ""}\ncall-command: execute\nexecute-app-name: ${name}\nexecute-app-arg: ${arg}\n${hs}\n`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.option(uuidish, { nil: undefined }), fc.constantFrom("hangup", "unicast", "nomedia", "xferext", "nonsense"), headers)
      .map(([u, cmd, hs]) => `sendmsg${u ? ` ${u}` : ""}\ncall-command: ${cmd}\n${hs}\n`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(word, headers, fc.string({ maxLength: 20 }), fc.integer({ min: -3, max: 40 }))
      .map(([name, hs, body, len]) => `sendevent ${name}\n${hs}Content-Length: ${len}\n\n${body}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constant("exit\n\n") },
);
/** Most clients subscribe first, so the events of what they do come back to them. */
const script = fc
  .tuple(fc.constantFrom("", "myevents\n\n", "event plain ALL\n\n", "event json CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP\n\n"), fc.array(command, { minLength: 1, maxLength: 8 }))
  .map(([sub, cmds]) => [sub, ...cmds]);

/** FUZZ_HIST=1: what the runs reached, printed at exit. */
const reached = reachedCounter();

/** Writes the script in random chunks, reads whatever comes back, and lets go after a quiet spell. */
async function play(sock: net.Socket, text: string, cuts: number[]): Promise<void> {
  let at = 0;
  for (const c of [...cuts, text.length]) {
    const end = Math.min(text.length, Math.max(at, c));
    if (sock.destroyed) return;
    sock.write(text.slice(at, end));
    at = end;
    await sleep(1);
  }
  await sleep(15);
}

t.test("hostile ESL clients, inbound and outbound: every connection answered or closed, nothing thrown, nothing leaked", async (t) => {
  const thrown = captureThrown(t);

  // The outbound "agent": each connection plays the script the current run gave it.
  let outboundScript: { text: string; cuts: number[] } = { text: "", cuts: [] };
  const agent = net.createServer({ noDelay: true }, (sock) => {
    sock.on("error", () => undefined);
    sock.on("data", (d: Buffer) => {
      for (const m of d.toString("latin1").matchAll(/Reply-Text: ([+-]\w+[^\n]{0,20})|Event-Name: (\w+)|"Event-Name":"(\w+)"/g)) reached(`out ${m[1] ?? m[2] ?? m[3]}`);
    });
    const { text, cuts } = outboundScript;
    sock.write("connect\n\n");
    void play(sock, text, cuts).then(() => sock.destroy());
  });
  await new Promise<void>((r) => agent.listen(0, "127.0.0.1", () => r()));
  const agentPort = (agent.address() as net.AddressInfo).port;
  const sim = new EslSimulator({
    agent: { host: "127.0.0.1", port: agentPort },
    password: PW,
    trunks: { gw1: { kind: "answer", afterMs: 100, ringMs: 20 } },
    timeScale: 0.05,
    defaultPlaybackMs: 200,
    log: () => undefined,
  });
  const { inboundPort } = await sim.start();
  t.teardown(async () => {
    await sim.stop();
    await new Promise<void>((r) => agent.close(() => r()));
  });

  /** A fresh inbound client still gets `api status` answered. */
  async function healthy(): Promise<boolean> {
    const sock = net.connect({ port: inboundPort, host: "127.0.0.1" });
    sock.on("error", () => undefined);
    const reader = new EslFrameReader();
    const ok = new Promise<boolean>((resolve) => {
      sock.on("data", (d: Buffer) => {
        for (const f of reader.push(d)) {
          if (f.headers["Content-Type"] === "auth/request") sock.write(`auth ${PW}\n\napi status\n\n`);
          if (f.headers["Content-Type"] === "api/response") resolve(f.body.startsWith("UP "));
        }
      });
      sock.on("close", () => resolve(false));
      setTimeout(() => resolve(false), 5000);
    });
    const r = await ok;
    sock.destroy();
    return r;
  }

  await fc.assert(
    fc.asyncProperty(script, script, fc.array(fc.nat(400), { maxLength: 4 }), fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), async (inbound, outbound, cuts, authed) => {
      const thrownBefore = thrown.length;
      const placed = sim.placeCall({ caller: "4930123456", dialed: "4989123456" });
      const live = (cmds: string[]) => cmds.join("").replaceAll("$UUID", placed.uuid);
      outboundScript = { text: live(outbound), cuts };
      const sock = net.connect({ port: inboundPort, host: "127.0.0.1" });
      sock.on("error", () => undefined);
      sock.on("data", (d: Buffer) => {
        for (const m of d.toString("latin1").matchAll(/Reply-Text: ([+-]\w+[^\n]{0,20})|Content-Type: api\/response\nContent-Length: \d+\n\n([^\n]{0,24})/g)) reached(`in ${m[1] ?? `api ${m[2]}`}`);
      });
      await new Promise<void>((r) => sock.once("connect", () => r()));
      await play(sock, (authed ? `auth ${PW}\n\n` : "") + live(inbound), cuts);
      sock.destroy();
      // Whatever the scripts did, every call ends once its clients are gone and the rest is hung up.
      await sleep(20);
      for (const c of [...sim.calls.values()]) if (!c.hungUp) c.hangup("NORMAL_CLEARING", false);
      const result = await Promise.race([placed.done, sleep(5000).then(() => undefined)]);
      for (let i = 0; i < 100 && sim.calls.size > 0; i++) await sleep(10);
      return thrown.length === thrownBefore && result !== undefined && sim.calls.size === 0 && (await healthy());
    }),
    fuzzOptions(),
  );
  t.same(thrown.map(String), [], "nothing thrown");
});
