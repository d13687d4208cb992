// The stream sequence from a JetStream ack subject (src/sink/seq.ts): both subject formats, junk,
// and against nats.js' own parse on messages of a real consumer.
import t from "tap";
import { AckPolicy, DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { js } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import { streamSeqOf, streamSeqOfReply } from "../src/sink/seq.ts";

t.test("ack subject formats", async (t) => {
  t.equal(streamSeqOfReply("$JS.ACK.CDR.sink.1.4711.12.1736931600000000000.3"), 4711, "9 tokens (no domain)");
  t.equal(streamSeqOfReply("$JS.ACK._.ACCHASH.CDR.sink.2.4712.13.1736931600000000000.0.rNd"), 4712, "12 tokens (domain, account hash, random)");
  t.equal(streamSeqOfReply("$JS.ACK.hub.ACCHASH.CDR.sink.1.9007199254740991.1.1.0"), 9007199254740991, "11 tokens");
  for (const bad of ["", "_INBOX.x.y", "$JS.ACK.CDR.sink.1", "$JS.ACK.CDR.sink.1.x.12.1.3", "$JS.ACK.CDR.sink.1..12.1.3", "$JS.ACK.CDR.sink.1.-5.12.1.3"]) t.equal(streamSeqOfReply(bad), -1, `not an ack subject: ${bad}`);
});

t.test("equals nats.js' stream sequence on delivered messages", async (t) => {
  const nc = await testNats("cdr-seq-test");
  const name = uniq("SEQ").replace(/[^A-Za-z0-9_-]/g, "_");
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${name}.x`] });
  t.teardown(async () => {
    await jsm.streams.delete(name).catch(() => {});
    await nc.close();
  });
  for (let i = 0; i < 25; i++) await js(nc).publish(`${name}.x`, new Uint8Array([i]));
  await jsm.consumers.add(name, { durable_name: "c", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  const it = await (await js(nc).consumers.get(name, "c")).consume();
  const seen: [number, number][] = [];
  for await (const m of it) {
    seen.push([streamSeqOf(m), m.info.streamSequence]);
    m.ack();
    if (seen.length === 25) break;
  }
  await it.close();
  t.same(seen.map((x) => x[0]), seen.map((x) => x[1]));
  t.same(seen.map((x) => x[0]), Array.from({ length: 25 }, (_, i) => i + 1));
});
