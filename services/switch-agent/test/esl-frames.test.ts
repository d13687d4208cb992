// The lean outbound reader (frames.ts) against modesl's Parser on recorded FreeSWITCH 1.10.12
// traffic: same events, same header values, whatever the TCP read boundaries. And the hand-over
// of a real socket from modesl after the `connect` reply (link.ts).
import esl from "modesl";
import t from "tap";
import { FrameReader, type Frame, JsonEvent } from "../src/esl/frames.ts";
import { takeOverOutbound } from "../src/esl/link.ts";
import { type EslConnection, type EslEvent, parseHeaderText, patchConnection } from "../src/esl/wire.ts";
import { parseFs, readChunks } from "./esl-fixtures.ts";
import { socketPair } from "./socket-pair.ts";

const JSON_FIXTURES = ["bridged-call-json", "inbound-call-control-json", "modesl-bridged-call"];

/** Deterministic chunk sizes (xorshift), so a failure replays. */
function rechunk(data: Buffer, seed: number, max: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed;
  for (let i = 0; i < data.length; ) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const n = 1 + (Math.abs(x) % max);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

function lean(chunks: Buffer[]): { frames: Frame[]; events: JsonEvent[] } {
  const frames: Frame[] = [];
  const r = new FrameReader((f) => frames.push(f));
  for (const c of chunks) r.push(c);
  const events = frames.filter((f) => f.contentType === "text/event-json" && f.body).map((f) => JsonEvent.of(f.body!)!);
  return { frames, events };
}

t.test("recorded JSON traffic: the lean reader yields modesl's events with the same header values", async (t) => {
  for (const name of JSON_FIXTURES) {
    const fs = readChunks(name).filter((c) => c.dir === "fs->client");
    const ref = parseFs(name).filter((e) => e.getHeader("Event-Name") && e.getHeader("Content-Type") !== "command/reply" && e.headers.some((h) => h.name === "Event-Sequence"));
    const all = Buffer.concat(fs.map((c) => c.data));
    const variants: Array<[string, Buffer[]]> = [["as recorded", fs.map((c) => c.data)], ["whole", [all]], ["1..7 bytes", rechunk(all.subarray(0, 30_000), 7, 7)]];
    for (const seed of [1, 2, 3]) variants.push([`random ≤700 #${seed}`, rechunk(all, seed, 700)]);
    for (const [how, chunks] of variants) {
      const { events } = lean(chunks);
      const want = how === "1..7 bytes" ? ref.slice(0, events.length) : ref;
      t.equal(events.length, want.length, `${name} ${how}: ${want.length} JSON events`);
      let mismatches = 0;
      events.forEach((ev, i) => {
        for (const h of want[i]!.headers) {
          if (h.name === "Content-Length" || h.name.startsWith("Modesl-")) continue;
          if (JSON.stringify(ev.getHeader(h.name)) !== JSON.stringify(want[i]!.getHeader(h.name))) mismatches++;
        }
      });
      t.equal(mismatches, 0, `${name} ${how}: every header value equal`);
    }
  }
});

t.test("parseHeaderText (the patched modesl header parser) equals modesl's on every recorded header block", async (t) => {
  const modesl = (esl.Parser.prototype as { _parseHeaderText(txt: string): unknown })._parseHeaderText;
  let blocks = 0;
  for (const name of [...JSON_FIXTURES, "bridged-call", "busy", "failover-503", "inbound-header-injection"]) {
    const all = Buffer.concat(readChunks(name).filter((c) => c.dir === "fs->client").map((c) => c.data)).toString();
    for (const block of all.split("\n\n")) {
      if (!/^[\w-]+: /.test(block) || block.startsWith("{")) continue;
      blocks++;
      t.same(parseHeaderText(block), modesl(block), `${name}: ${block.slice(0, 40)}`);
    }
  }
  t.ok(blocks > 50, `${blocks} header blocks compared`);
  t.same(parseHeaderText("A: 100%\nB: x%2By"), { A: "100%", B: "x+y" }, "a malformed escape is kept, not thrown");
});

t.test("JsonEvent: escapes, keys inside values, absent keys, whole-object check", async (t) => {
  const obj = { "Event-Name": "CHANNEL_ANSWER", a: 'x","Unique-ID":"evil', "Unique-ID": "u-1", q: 'say "hi"\\', b: "Zürich \u2028 ✓", "variable_x": "", _body: "+OK done\n" };
  const ev = JsonEvent.of(Buffer.from(JSON.stringify(obj)))!;
  t.equal(ev.getHeader("Unique-ID"), "u-1", "a key-like text inside a value is not a key");
  t.equal(ev.getHeader("q"), 'say "hi"\\');
  t.equal(ev.getHeader("b"), "Zürich \u2028 ✓");
  t.equal(ev.getHeader("variable_x"), "");
  t.equal(ev.getHeader("nope"), null);
  t.equal(ev.getBody(), "+OK done\n");
  t.equal(ev.headers.length, Object.keys(obj).length);
  t.equal(JsonEvent.of(Buffer.from('{"Event-Name":"CHANNEL_HANG')), undefined, "a body cut short is not an event");
  t.equal(JsonEvent.of(Buffer.from('\n {"Event-Name":"X"}\n'))?.getHeader("Event-Name"), "X", "whitespace around the object is tolerated");
  t.same(new JsonEvent('{"v":["a","b"],"s":"x"}').getHeader("v"), ["a", "b"], "a non-string value (multi-valued variable) as modesl returns it");
});

t.test("frames: replies, notices and bodies of api responses are framed by Content-Length", async (t) => {
  const wire = "Content-Type: command/reply\nReply-Text: +OK\n\n\nContent-Type: api/response\nContent-Length: 4\n\n+OK\nContent-Type: text/disconnect-notice\nContent-Length: 0\n\n";
  const { frames } = lean(rechunk(Buffer.from(wire), 9, 5));
  t.same(frames.map((f) => [f.contentType, f.body?.toString()]), [["command/reply", undefined], ["api/response", "+OK\n"], ["text/disconnect-notice", undefined]]);
});

t.test("hand-over: bytes after the connect reply in the same read reach the lean reader, then end", async (t) => {
  const p = await socketPair();
  const conn = patchConnection(new esl.Connection(p.server) as EslConnection);
  const got: string[] = [];
  let ended = 0;
  const ready = new Promise<void>((resolve) => {
    conn.once("esl::event::CHANNEL_DATA::**", () => {
      const link = takeOverOutbound(conn, p.server);
      link.onEvent((ev: EslEvent) => got.push(ev.getHeader("Event-Name") ?? ""));
      link.onEnd(() => ended++);
      link.send("linger 30");
      resolve();
    });
  });
  const ev = (n: string) => {
    const body = JSON.stringify({ "Event-Name": n, "Unique-ID": "u-1" });
    return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`;
  };
  p.client.write(`Event-Name: CHANNEL_DATA\nUnique-ID: u-1\nContent-Type: command/reply\nReply-Text: %2BOK%0A\n\n${ev("CHANNEL_ANSWER")}`);
  await ready;
  await new Promise((r) => setTimeout(r, 20));
  p.client.write(`Content-Type: command/reply\nReply-Text: +OK\n\n${ev("CHANNEL_HANGUP")}`);
  p.client.end();
  while (!ended) await new Promise((r) => setTimeout(r, 5));
  t.same(got, ["CHANNEL_ANSWER", "CHANNEL_HANGUP"]);
  t.equal(ended, 1, "end reported once (end and close)");
  p.close();
});
