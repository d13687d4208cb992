// JetStream: the same message id published twice is stored once (server-side dedupe); provisioning is idempotent.
import t from "tap";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { CONFIG_KEY, ConfigTooLargeError, eventMsgId, js, provision, publishDurable, putConfig, STREAMS } from "../src/index.ts";
import { testNats, uniq } from "../src/testing.ts";

const nc = await testNats();
t.teardown(() => nc.close());

t.test("same msg-id twice is stored once", async (t) => {
  const jsm = await jetstreamManager(nc);
  const name = uniq("TEST_");
  await jsm.streams.add({ name, subjects: [`${name}.>`], duplicate_window: 60_000 * 1e6 });
  t.teardown(() => jsm.streams.delete(name).then(() => {}));
  const client = js(nc);
  const id = eventMsgId("call-1", "ended");
  t.equal(id, "call-1:ended");
  const a = await publishDurable(client, `${name}.ended`, new TextEncoder().encode("x"), id);
  const b = await publishDurable(client, `${name}.ended`, new TextEncoder().encode("x"), id);
  t.equal(a.duplicate, false);
  t.equal(b.duplicate, true, "second publish is flagged duplicate");
  t.equal(a.seq, b.seq);
  const info = await jsm.streams.info(name);
  t.equal(info.state.messages, 1, "stored once");
});

t.test("provision creates CALLS, CDR and the config bucket, and can run again", async (t) => {
  const first = await provision(nc);
  const second = await provision(nc);
  const cdr = await second.jsm.streams.info(STREAMS.CDR.name);
  t.equal(cdr.config.max_age, 183 * 24 * 3600 * 1e9, "CDR kept 6 months by default");
  t.same(cdr.config.subjects, ["callctl.cdr.>"]);
  const calls = await first.jsm.streams.info(STREAMS.CALLS.name);
  t.same(calls.config.subjects, ["callctl.calls.>"]);
  t.ok((await second.kv.status()).bucket.endsWith("callctl-config"));
});

t.test("a configuration document past the server's max_payload is refused before anything is stored", async (t) => {
  const kv = await new Kvm(nc).create(uniq("cfg-"), { history: 1 });
  t.teardown(() => kv.destroy().then(() => {}));
  const max = nc.info!.max_payload;
  const big = { rateDecks: { d: { version: "1", rates: Object.fromEntries(Array.from({ length: Math.ceil(max / 16) + 10 }, (_, i) => [`49${1_000_000 + i}`, i])) } } };
  const err = await putConfig(kv, big, max).catch((e: unknown) => e);
  t.type(err, ConfigTooLargeError);
  t.equal((err as ConfigTooLargeError).code, "CONFIG_TOO_LARGE");
  t.match((err as Error).message, /max_payload/);
  t.equal(await kv.get(CONFIG_KEY), null, "nothing stored");
  const small = { lcr: { maxCandidates: 3 } };
  const rev = await putConfig(kv, small, max);
  t.same((await kv.get(CONFIG_KEY))?.json(), small, "a document that fits is stored");
  t.ok(rev > 0);
});
