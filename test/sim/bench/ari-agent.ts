// A trivial ARI "agent" for the ARI simulator benchmark (bench/ari.ts): one events WebSocket and
// keep-alive HTTP on raw sockets, no ari-client (its swagger stack would be the bottleneck, as the
// ESL bench agent is raw TCP rather than modesl). Per call, the B2BUA flow of the recordings in its shortest form:
// StasisStart(A) → originate B to gw1 with our own id; StasisStart(B, "dialed") → answer A, then
// create a bridge, then add both; B destroyed before the bridge → hang A up with the reason; A
// destroyed → hang B up and destroy the bridge. Each request waits for the previous one's reply,
// as an agent awaiting ari-client promises does.
// argv[2]: the simulator's port. Sends "ready" once the WebSocket is open.
import net from "node:net";
import { WebSocket } from "ws";

const port = Number(process.argv[2]);
const AUTH = "api_key=ari:ari";
/** The request headers ari-client sends (recordings: host, Basic authorization, content-length 0 on POST). */
const HEAD = `HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Basic ${Buffer.from("ari:ari").toString("base64")}\r\nAccept: application/json\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n`;
let errors = 0;
const statuses: Record<string, number> = {};

// Keep-alive HTTP/1.1 over raw sockets, one request in flight per socket (like an http.Agent, no
// pipelining), responses read only as far as the status and Content-Length: Node's HTTP client
// costs more than the simulator's server side and would make this agent the bottleneck.
interface Conn {
  sock: net.Socket;
  buf: string;
  /** The request in flight (named in agentErrorsBy when its reply is an error). */
  method: string;
  path: string;
  after?: () => void;
}
const idle: Conn[] = [];
const waiting: Array<[string, string, (() => void) | undefined]> = [];
let conns = 0;
const MAX_CONNS = 64;

function onData(c: Conn, d: string): void {
  c.buf += d;
  for (;;) {
    const end = c.buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const m = /\r\ncontent-length: *(\d+)/i.exec(c.buf.slice(0, end));
    const total = end + 4 + (m ? Number(m[1]) : 0);
    if (c.buf.length < total) return;
    const status = Number(c.buf.slice(9, 12));
    c.buf = c.buf.slice(total);
    if (status >= 300 && status !== 404) {
      errors++;
      const k = `${c.method} ${c.path.split("?")[0]!.replace(/[\w.-]*\d[\w.-]*/g, ":id")} ${status}`;
      statuses[k] = (statuses[k] ?? 0) + 1;
    }
    const after = c.after;
    c.after = undefined;
    release(c);
    after?.();
  }
}

function release(c: Conn): void {
  const next = waiting.shift();
  if (next) send(c, ...next);
  else idle.push(c);
}

function send(c: Conn, method: string, path: string, then?: () => void): void {
  c.method = method;
  c.path = path;
  c.after = then;
  c.sock.write(`${method} /ari/${path} ${HEAD}`);
}

function rest(method: string, path: string, then?: () => void): void {
  const c = idle.pop();
  if (c) {
    send(c, method, path, then);
    return;
  }
  if (conns >= MAX_CONNS) {
    waiting.push([method, path, then]);
    return;
  }
  conns++;
  const conn: Conn = { sock: net.connect({ port, host: "127.0.0.1" }), buf: "", method: "", path: "" };
  conn.sock.setNoDelay(true);
  conn.sock.setEncoding("latin1");
  conn.sock.on("data", (d: string) => onData(conn, d));
  conn.sock.on("error", (e) => {
    errors++;
    statuses[e.message] = (statuses[e.message] ?? 0) + 1;
  });
  send(conn, method, path, then);
}

interface Call {
  a: string;
  b: string;
  bridge?: string;
  bGone: boolean;
}
const calls = new Map<string, Call>();
const byB = new Map<string, Call>();
const reasonOf = (cause: number) => (cause === 17 ? "busy" : cause === 19 ? "no_answer" : cause === 34 ? "congestion" : "normal");

type Ev = { type: string; args?: string[]; cause?: number; channel?: { id: string; dialplan: { exten: string } } };
function onEvent(ev: Ev): void {
  const id = ev.channel?.id;
  if (!id) return;
  if (ev.type === "StasisStart") {
    if (ev.args?.[0] === "dialed") {
      const c = calls.get(ev.args[1] ?? "");
      if (!c) return;
      const bid = `br-${c.a}`;
      rest("POST", `channels/${c.a}/answer`, () =>
        rest("POST", `bridges/${bid}?type=mixing`, () => {
          c.bridge = bid;
          rest("POST", `bridges/${bid}/addChannel?channel=${c.a},${c.b}`);
        }),
      );
      return;
    }
    const c: Call = { a: id, b: `b-${id}`, bGone: false };
    calls.set(id, c);
    byB.set(c.b, c);
    const exten = encodeURIComponent(ev.channel!.dialplan.exten);
    rest("POST", `channels/${c.b}?endpoint=PJSIP/${exten}@gw1&app=callctl&appArgs=dialed,${id}&timeout=30`);
    return;
  }
  if (ev.type !== "ChannelDestroyed") return;
  const b = byB.get(id);
  if (b) {
    b.bGone = true;
    byB.delete(id);
    if (!b.bridge && calls.has(b.a)) rest("DELETE", `channels/${b.a}?reason=${reasonOf(ev.cause ?? 16)}`);
    return;
  }
  const a = calls.get(id);
  if (!a) return;
  calls.delete(id);
  if (!a.bGone) rest("DELETE", `channels/${a.b}`);
  if (a.bridge) rest("DELETE", `bridges/${a.bridge}`);
}

const ws = new WebSocket(`ws://127.0.0.1:${port}/ari/events?app=callctl&${AUTH}`);
ws.on("message", (d: Buffer) => onEvent(JSON.parse(d.toString()) as Ev));
ws.on("open", () => process.send?.("ready"));
ws.on("error", () => process.exit(1));
process.on("message", (m) => {
  if (m === "cpu") process.send?.({ cpu: process.cpuUsage(), errors, statuses, open: calls.size });
});
