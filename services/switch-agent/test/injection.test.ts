// No caller-controlled string reaches ESL or ARI unvalidated (ARCHITECTURE.md; ESL.md pitfall 9).
import { EventEmitter } from "node:events";
import { createLogger } from "@callctl/core";
import t from "tap";
import { AriCall } from "../src/ari/call.ts";
import { EslCall } from "../src/esl/call.ts";
import { patchConnection, type EslConnection, type EslEvent } from "../src/esl/wire.ts";
import { cleanCaller, cleanDialed, safeNumber, safePrompt } from "../src/validate.ts";

const HOSTILE = ["4930\n\napi echo pwned", "4930\r\nsendmsg", "4930%0A%0Aapi%20echo", "4930%0D", "+49" + "1".repeat(5000), "49 30", "'; DROP", "\u0000", "49\u2028"];
const log = createLogger("t", { level: "silent" });

t.test("identity fields: hostile caller ids become anonymous, hostile digits refuse the call", async (t) => {
  for (const h of HOSTILE) {
    // The message escapes U+2028/2029 too: raw, they end the TAP line and the subtest reads as failed.
    t.equal(cleanCaller(h), "", JSON.stringify(h.slice(0, 20)).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`));
    t.match(cleanDialed(h), { dialed: "", invalid: "INVALID_DIALED_STRING" });
  }
  t.equal(cleanCaller("+4930123456"), "4930123456");
  t.same(cleanDialed("010970043664123456"), { dialed: "010970043664123456" });
  t.throws(() => safeNumber("n", "123\n"));
  t.throws(() => safePrompt("../../etc/passwd"));
  t.throws(() => safePrompt("a b"));
});

function fakeEsl(headers: Record<string, string>) {
  const writes: string[] = [];
  const sock = Object.assign(new EventEmitter(), { destroyed: false, setNoDelay: () => {}, write: (d: string) => writes.push(d) });
  const conn = Object.assign(new EventEmitter(), { socket: sock, cmdCallbackQueue: [], apiCallbackQueue: [], send() {}, sendRecv() {}, api() {}, getInfo: () => null });
  patchConnection(conn as unknown as EslConnection);
  const info = { getHeader: (k: string) => headers[k] ?? null, getBody: () => "", headers: [] } as EslEvent;
  return { conn: conn as unknown as EslConnection, info, writes };
}

t.test("ESL: a hostile channel never puts its strings on the wire", async (t) => {
  for (const h of HOSTILE) {
    const f = fakeEsl({ "Unique-ID": "0b7f0c1e-0000-4000-8000-000000000001", "Caller-Caller-ID-Number": h, "Caller-Destination-Number": h });
    const call = new EslCall(f.conn, f.info, { promptDir: "", log });
    const events: string[] = [];
    call.bind((ev) => events.push(ev.type));
    t.equal(call.caller, "");
    t.equal(call.invalid, "INVALID_DIALED_STRING");
    call.run({ kind: "dial", n: 1, candidate: { gateway: "gw1", dialNumber: "4930", timeoutMs: 1000 }, callerId: h });
    call.run({ kind: "dial", n: 1, candidate: { gateway: "gw1\n\napi echo", dialNumber: "4930", timeoutMs: 1000 }, callerId: "" });
    call.run({ kind: "play", id: "price", playlist: [`x${h}`], early: true });
    t.notOk(f.writes.some((w) => w.includes("pwned") || w.includes("echo") || /\n\n./.test(w.slice(0, -2))), "no injected command written");
    t.same(events, ["dialFailed", "dialFailed", "playDone"], "each refused command fails cleanly into the flow");
  }
});

t.test("ARI: hostile identity is cleaned, hostile endpoint parts are refused before any request", async (t) => {
  const calls: unknown[] = [];
  const rec = (name: string) => (a: unknown) => {
    calls.push([name, a]);
    return Promise.resolve({});
  };
  const client = { channels: { originate: rec("originate"), play: rec("play"), progress: rec("progress"), hangup: rec("hangup") }, bridges: {}, playbacks: {} };
  const host = { client, app: "callctl", log, timeoutMs: 100, now: Date.now, register() {}, unregister() {} };
  for (const h of HOSTILE) {
    const call = new AriCall({ id: "1795311628.1", caller: { number: h, name: h }, dialplan: { exten: h } }, host);
    const events: string[] = [];
    call.bind((ev) => events.push(ev.type));
    t.equal(call.caller, "");
    t.equal(call.invalid, "INVALID_DIALED_STRING");
    call.run({ kind: "dial", n: 1, candidate: { gateway: "trunk1", dialNumber: h, timeoutMs: 1000 }, callerId: "" });
    call.run({ kind: "dial", n: 1, candidate: { gateway: "trunk1", dialNumber: "4930", timeoutMs: 1000 }, callerId: h });
    t.same(events, ["dialFailed", "dialFailed"]);
  }
  t.same(calls, [], "no ARI request carried a hostile value");
});
