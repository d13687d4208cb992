// A trivial ARI "agent" for the ARI simulator benchmark (bench/ari.ts): one events WebSocket and
// keep-alive HTTP, no ari-client (its swagger stack would be the bottleneck, as the ESL bench agent
// is raw TCP rather than modesl). Per call, the B2BUA flow of the recordings in its shortest form:
// StasisStart(A) → originate B to gw1 with our own id; StasisStart(B, "dialed") → answer A, then
// create a bridge, then add both; B destroyed before the bridge → hang A up with the reason; A
// destroyed → hang B up and destroy the bridge. Each request waits for the previous one's reply,
// as an agent awaiting ari-client promises does.
// argv[2]: the simulator's port. Sends "ready" once the WebSocket is open.
import http from "node:http";
import { WebSocket } from "ws";

const port = Number(process.argv[2]);
const AUTH = "api_key=ari:ari";
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let errors = 0;
const statuses: Record<string, number> = {};

function rest(method: string, path: string, then?: () => void): void {
  const r = http.request({ agent, host: "127.0.0.1", port, method, path: `/ari/${path}${path.includes("?") ? "&" : "?"}${AUTH}` });
  r.on("response", (res) => {
    if (res.statusCode! >= 300 && res.statusCode !== 404) {
      errors++;
      const k = `${method} ${path.split("?")[0]!.replace(/[\w.-]*\d[\w.-]*/g, ":id")} ${res.statusCode}`;
      statuses[k] = (statuses[k] ?? 0) + 1;
    }
    res.resume();
    res.on("end", () => then?.());
  });
  r.on("error", (e) => {
    errors++;
    statuses[e.message] = (statuses[e.message] ?? 0) + 1;
  });
  r.end();
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
