// Hostile ARI clients: whatever method, path, query and body a client sends, the simulator answers
// with a status and JSON as Asterisk would (never its catch-all 500), throws nothing, leaks no
// channel or bridge, and keeps serving. A driver under test may be the broken party.
// FUZZ_RUNS (default 60), FUZZ_SEED (replay a failure), FUZZ_HIST=1 (what the runs reached).
import http from "node:http";
import fc from "fast-check";
import t from "tap";
import { WebSocket } from "ws";
import { AriSimulator } from "../src/index.ts";
import { captureThrown, fuzzOptions, reachedCounter, sleep } from "./helpers.ts";

const AUTH = { username: "fuzz", password: "fuzz-pw" };
const BASIC = `Basic ${Buffer.from(`${AUTH.username}:${AUTH.password}`).toString("base64")}`;

const word = fc.oneof(
  fc.constantFrom("", "callctl", "PJSIP/4989123@trunk1", "PJSIP/1@nope", "Local/1@x", "sound:hello-world", "mixing", "holding", "normal", "busy", "congestion", "no_answer", "16", "-1", "1e9", "x", "%", "%E0%A4%A", "%00", "+", "__proto__", "constructor", "a,b", "dtmf_events"),
  fc.string({ maxLength: 10 }),
);
/** `$CHAN` stands for the run's live channel, `$BRIDGE` for the bridge the run made. */
const id = fc.oneof(fc.constantFrom("$CHAN", "$CHAN", "$BRIDGE", "$PLAYBACK", "nope", "%ZZ", "..", ""), fc.uuid(), word);
const resource = fc.oneof(
  { arbitrary: fc.constantFrom("channels", "bridges", "playbacks"), weight: 6 },
  { arbitrary: fc.constantFrom("applications", "asterisk", "endpoints", "sounds", "recordings", "deviceStates", "mailboxes", "events", "api-docs", "nope"), weight: 1 },
);
const sub = fc.constantFrom("", "answer", "ring", "progress", "play", "variable", "dial", "continue", "addChannel", "removeChannel", "info", "hold", "moh", "snoop", "nope");
const query = fc
  .array(fc.tuple(fc.constantFrom("endpoint", "app", "appArgs", "channelId", "channel", "media", "playbackId", "variable", "value", "reason", "reason_code", "timeout", "type", "bridgeId", "callerId", "caller", "extension", "context", "priority", "label", "api_key", "x"), word), { maxLength: 5 })
  .map((kv) => kv.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%25/g, "%")}`).join("&"));
const request = fc.record({
  method: fc.oneof({ arbitrary: fc.constantFrom("GET", "POST", "DELETE"), weight: 6 }, { arbitrary: fc.constantFrom("PUT", "PATCH", "OPTIONS", "HEAD"), weight: 1 }),
  path: fc
    .oneof(
      { arbitrary: resource.map((r) => [r]), weight: 2 },
      { arbitrary: fc.tuple(resource, id), weight: 3 },
      { arbitrary: fc.tuple(resource, id, sub), weight: 6 },
      { arbitrary: fc.tuple(resource, id, sub, word), weight: 1 },
    )
    .map((p) => `/ari/${p.join("/")}`),
  query,
  body: fc.option(fc.oneof(fc.json(), fc.string({ maxLength: 40 })), { nil: undefined }),
  authed: fc.oneof({ arbitrary: fc.constant(true), weight: 6 }, { arbitrary: fc.constant(false), weight: 1 }),
});

function send(port: number, r: { method: string; path: string; body?: string; authed: boolean }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = r.authed ? { Authorization: BASIC } : {};
    // Node's client frames a GET or DELETE body only with an explicit Content-Length.
    if (r.body !== undefined) Object.assign(headers, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(r.body) });
    // What an HTTP client cannot put in a request line (spaces, controls) is escaped; stray `%` stay.
    const path = r.path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
    const req = http.request({ host: "127.0.0.1", port, method: r.method, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(r.body);
  });
}

/** FUZZ_HIST=1: what the runs reached, printed at exit. */
const reached = reachedCounter();

t.test("hostile ARI clients: every request answered as Asterisk would, nothing thrown, nothing leaked", async (t) => {
  const thrown = captureThrown(t);
  const internal: string[] = [];
  const sim = new AriSimulator({ ...AUTH, trunks: { trunk1: { kind: "answer", afterMs: 100, ringMs: 20 } }, timeScale: 0.05, defaultPlaybackMs: 200, log: (s) => internal.push(s) });
  const { url } = await sim.start();
  const port = Number(new URL(url).port);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ari/events?app=callctl&api_key=${AUTH.username}:${AUTH.password}`);
  ws.on("message", () => undefined);
  await new Promise<void>((r) => ws.once("open", () => r()));
  t.teardown(async () => {
    ws.terminate();
    await sim.stop();
  });

  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (reqs) => {
      const thrownBefore = thrown.length;
      const internalBefore = internal.length;
      const placed = sim.placeCall({ caller: "4930123456", dialed: "4989123456" });
      await sleep(2);
      const made = await send(port, { method: "POST", path: "/ari/bridges?type=mixing", authed: true });
      const bridgeId = (JSON.parse(made.body) as { id: string }).id;
      const played = await send(port, { method: "POST", path: `/ari/channels/${placed.uuid}/play?media=sound:hello-world`, authed: true });
      const playbackId = played.status === 201 ? (JSON.parse(played.body) as { id: string }).id : "none";
      const live = (s: string) => s.replaceAll("$CHAN", placed.uuid).replaceAll("$BRIDGE", bridgeId).replaceAll("$PLAYBACK", playbackId);
      for (const r of reqs) {
        const res = await send(port, { ...r, path: live(r.path) + (r.query ? `?${live(r.query)}` : ""), body: r.body === undefined ? undefined : JSON.stringify(r.body) });
        reached(`${r.method} ${r.path.split("/")[2]} ${res.status}`);
        // Every answer is a status Asterisk uses, with JSON (or nothing) as the body.
        if (![200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 422, 500, 501].includes(res.status)) throw new Error(`status ${res.status} for ${r.method} ${r.path}`);
        if (res.body !== "") JSON.parse(res.body);
      }
      // Clean up what the run made; every channel and bridge goes away.
      for (const b of JSON.parse((await send(port, { method: "GET", path: "/ari/bridges", authed: true })).body) as Array<{ id: string }>) {
        await send(port, { method: "DELETE", path: `/ari/bridges/${encodeURIComponent(b.id)}`, authed: true });
      }
      for (const c of JSON.parse((await send(port, { method: "GET", path: "/ari/channels", authed: true })).body) as Array<{ id: string }>) {
        await send(port, { method: "DELETE", path: `/ari/channels/${encodeURIComponent(c.id)}`, authed: true });
      }
      const ended = await Promise.race([placed.done, sleep(5000).then(() => undefined)]);
      for (let i = 0; i < 100; i++) {
        const left = JSON.parse((await send(port, { method: "GET", path: "/ari/channels", authed: true })).body) as unknown[];
        const bridges = JSON.parse((await send(port, { method: "GET", path: "/ari/bridges", authed: true })).body) as unknown[];
        if (left.length === 0 && bridges.length === 0) break;
        if (i === 99) throw new Error(`left: ${JSON.stringify(left)} channels, ${JSON.stringify(bridges)} bridges`);
        await sleep(10);
      }
      if (thrown.length !== thrownBefore) throw new Error(`thrown: ${String(thrown.at(-1))}`);
      if (internal.length !== internalBefore) throw new Error(`catch-all 500: ${internal.at(-1)}`);
      if (ended === undefined) throw new Error("the placed call never ended");
    }),
    fuzzOptions(),
  );
  t.same(thrown.map(String), [], "nothing thrown");
  t.same(internal, [], "no request reached the catch-all 500");
});
