// NATS round trip against the real nats-server (infra/local/runtime.sh up): the service loads its
// tables from a KV bucket, answers decide and blocks, swaps on a new document, refuses a bad one,
// and demotes a trunk from attempt events on a JetStream stream. Subjects, bucket and stream are
// unique to this test so that parallel tests on the same server do not meet.
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { createLogger, pb, putConfig, readYamlConfig, request, setupTelemetry } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import { jetstreamManager, jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import t from "tap";
import { startRouting } from "../src/index.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// int64 fields may decode as Long objects (protobufjs with long.js present)
const num = (v: unknown) => (typeof v === "number" ? v : Number(String(v)));
async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await sleep(20);
}

t.test("route.decide and route.blocks over NATS, KV swap, health from attempts", async (t) => {
  const nc = await testNats("routing-test");
  const id = uniq("rt");
  const subjects = { decide: `test.${id}.route.decide`, blocks: `test.${id}.route.blocks`, attempts: `test.${id}.calls.attempt`, stream: `S${id}` };
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: subjects.stream, subjects: [`test.${id}.calls.>`] });
  const kv = await new Kvm(nc).create(`B${id}`, { history: 2 });
  t.teardown(async () => {
    await jsm.streams.delete(subjects.stream).catch(() => {});
    await kv.destroy().catch(() => {});
    await nc.close();
  });
  const { doc } = readYamlConfig(EXAMPLE);
  await putConfig(kv, doc);
  const tel = setupTelemetry("routing-test");
  const svc = await startRouting({ nc, kv, log: createLogger("routing-test", { level: (process.env.TEST_LOG as "info") ?? "silent" }), tracer: tel.tracer, meter: tel.meter, subjects });
  t.teardown(() => svc.stop());
  await svc.loaded;

  const decide = (dialed: string, caller = "49301234567") => request(nc, subjects.decide, pb.RouteRequest, { callId: uniq("c"), dialed, caller }, pb.RouteDecision, { timeoutMs: 2000 });
  const d = await decide("010970043664123456");
  t.equal(d.outcome, pb.RouteOutcome.ROUTE);
  t.equal(d.brand, "01097");
  t.same(d.destination, { e164: "43664123456", country: "AT", numberType: pb.NumberType.MOBILE, zone: "EU_MOBILE" });
  t.same(d.candidates?.map((c) => c.trunkId), ["colt-eu", "bics-world"]);
  const r = await decide("0109709001234567");
  t.match(r.reject, { reason: "BLOCKED_GLOBAL", q850: 52, announcement: "reject/blocked_global" });

  const blocks = await request(nc, subjects.blocks, pb.BlocksRequest, { callId: "b", brand: "01012" }, pb.BlocksList, { timeoutMs: 2000 });
  t.ok(blocks.blocks?.some((b) => b.level === "GLOBAL" && b.group === "de-premium-0900"), "global groups listed");
  t.notOk(blocks.blocks?.some((b) => b.group === "de-service-0180"), "01012 is exempt from the 0180 block");
  t.equal(blocks.configVersion, d.configVersion);

  // a new document swaps the tables
  const changed = structuredClone(doc) as { rateDecks: Record<string, { rates: Record<string, number> }> };
  changed.rateDecks["colt-eu-2025"]!.rates["436"] = 4000;
  await putConfig(kv, changed);
  await until(async () => num((await decide("010970043664123456")).candidates?.[0]?.costMicroPerMin) === 4000);
  const v2 = (await decide("010970043664123456")).configVersion;
  t.not(v2, d.configVersion, "new config version");

  // a bad document is refused; the running tables stay
  await putConfig(kv, { ...changed, brands: { "01097": { carrierCode: "bad" } } });
  await putConfig(kv, changed); // a marker revision after the bad one
  await until(async () => (await decide("010970043664123456")).configVersion !== v2);
  t.equal((await decide("010970043664123456")).outcome, pb.RouteOutcome.ROUTE, "still routing after a bad document");

  // attempts on the stream demote colt-eu (DOMAIN.md §5: 503/41 is a network failure)
  const js = jetstream(nc);
  for (let i = 0; i < 25; i++) {
    const ev = pb.CallEvent.encode({ callId: `${id}-${i}`, kind: pb.CallEventKind.ATTEMPT, attempt: { n: 1, trunkId: "colt-eu", sipCode: 503, q850: 41, disposition: pb.Disposition.FAILED } }).finish();
    await js.publish(subjects.attempts, ev, { msgID: `${id}-${i}:attempt:1` });
  }
  await until(async () => !(await decide("010970043664123456")).candidates?.some((c) => c.trunkId === "colt-eu"));
  t.same((await decide("010970043664123456")).candidates?.map((c) => c.trunkId), ["bics-world"], "colt-eu demoted");

  // decisions counted by outcome, reason and brand on /metrics
  const text = await new Promise<string>((resolve) => tel.metricsHandler({} as IncomingMessage, { statusCode: 200, setHeader() {}, end: (s: string) => resolve(s) } as unknown as ServerResponse));
  t.match(text, /callctl_route_decisions_total\{outcome="ROUTE",reason="",brand="01097"[^}]*\} [1-9]/);
  t.match(text, /callctl_route_decisions_total\{outcome="REJECT",reason="BLOCKED_GLOBAL",brand="01097"[^}]*\} 1\b/);
});
