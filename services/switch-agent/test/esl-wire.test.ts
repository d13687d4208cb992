// The modesl fix (ESL.md pitfall 14): no-delay sockets and exactly one write per command, proven by
// counting write() calls on a real TCP socket (not by the clock). And the injection guard (pitfall 9).
import type { Socket } from "node:net";
import esl from "modesl";
import t from "tap";
import { eslConnection } from "../src/esl/driver.ts";
import { frameCommand, patchConnection, type EslConnection } from "../src/esl/wire.ts";
import { UnsafeValueError } from "../src/validate.ts";
import { socketPair } from "./socket-pair.ts";

function spy(s: Socket) {
  const writes: string[] = [];
  const noDelay: boolean[] = [];
  const w = s.write.bind(s);
  s.write = ((d: string | Uint8Array, ...rest: never[]) => {
    writes.push(String(d));
    return w(d, ...rest);
  }) as typeof s.write;
  const nd = s.setNoDelay.bind(s);
  s.setNoDelay = (v?: boolean) => {
    noDelay.push(v ?? true);
    return nd(v);
  };
  return { writes, noDelay };
}

const exec = { "call-command": "execute", "execute-app-name": "playback", "execute-app-arg": "price/intro.wav", "Event-UUID": "u1", "event-lock": "true" };

t.test("stock modesl: one write per line, no no-delay (the ~42 ms per command)", async (t) => {
  const p = await socketPair();
  const s = spy(p.server);
  const conn = new esl.Connection(p.server) as EslConnection;
  t.equal(s.writes.length, 2, "`connect` alone is two writes");
  s.writes.length = 0;
  conn.send("sendmsg abc", exec);
  t.equal(s.writes.length, 7, "command line + 5 headers + blank line");
  t.same(s.noDelay, []);
  p.close();
});

t.test("patched: no-delay on, the constructor's connect corked into one write, one write per command", async (t) => {
  const p = await socketPair();
  const s = spy(p.server);
  const got: Buffer[] = [];
  p.client.on("data", (d: Buffer) => got.push(d));
  const corked: number[] = [];
  const cork = p.server.cork.bind(p.server);
  p.server.cork = () => {
    corked.push(p.server.writableCorked);
    cork();
  };
  const conn = eslConnection(p.server);
  t.ok(s.noDelay.length > 0 && s.noDelay.every(Boolean), "no-delay set");
  t.equal(corked.length, 1, "connect written while corked: leaves as one segment");
  s.writes.length = 0;
  conn.send("sendmsg abc", exec);
  conn.sendRecv("myevents json", () => {});
  conn.api("sched_hangup", "+3 abc ALLOTTED_TIMEOUT");
  t.equal(s.writes.length, 3, "three commands, three writes");
  t.equal(s.writes[0], "sendmsg abc\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: price/intro.wav\nEvent-UUID: u1\nevent-lock: true\n\n");
  await new Promise((r) => setTimeout(r, 50));
  t.equal(Buffer.concat(got).toString().split("\n\n").length - 1, 4, "the peer got connect + three whole commands");
  p.close();
});

t.test("a header value with CR or LF is refused before anything is written or queued", async (t) => {
  const p = await socketPair();
  const conn = patchConnection(new esl.Connection(p.server) as EslConnection);
  const s = spy(p.server);
  const q = conn as unknown as { cmdCallbackQueue: unknown[]; apiCallbackQueue: unknown[] };
  const before = q.cmdCallbackQueue.length;
  for (const evil of ["x\n\napi echo pwned", "x\rapi", "x\n", "a".repeat(5000)]) {
    t.throws(() => conn.send("sendmsg abc", { ...exec, "execute-app-arg": evil }), UnsafeValueError);
    t.throws(() => conn.sendRecv("sendmsg abc", { "execute-app-arg": evil }, () => {}), UnsafeValueError);
  }
  t.throws(() => conn.api("echo", "a\n\nexit"));
  t.equal(s.writes.length, 0, "nothing reached the socket");
  t.equal(q.cmdCallbackQueue.length, before, "the reply queue did not shift");
  t.equal(q.apiCallbackQueue.length, 0);
  t.throws(() => frameCommand("api status\n\nexit"));
  t.equal(frameCommand("sendmsg", { a: "b" }, "free\ntext"), "sendmsg\na: b\ncontent-type: text/plain\ncontent-length: 9\n\nfree\ntext", "free text only as a body");
  p.close();
});
