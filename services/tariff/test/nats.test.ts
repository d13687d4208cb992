// Round trip over the real nats-server: configuration put into a KV bucket, tables rebuilt on
// watch, quotes and ratings over protobuf request/reply, typed errors, a bad document refused.
import { type callctl, createLogger, pb, putConfig, request, setupTelemetry } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import { Kvm } from "@nats-io/kv";
import t from "tap";
import { startTariffService, TariffEngine, watchTariffs } from "../src/index.ts";
import { at, fixtureDoc } from "./fixture.ts";

t.test("quote and rate over NATS, tables rebuilt on KV change", async (t) => {
  const nc = await testNats("tariff-test");
  const bucket = uniq("tariffcfg");
  const kv = await new Kvm(nc).create(bucket, { history: 2 });
  const log = createLogger("tariff-test", { level: "silent" });
  const tel = setupTelemetry("tariff-test");
  const engine = new TariffEngine();
  const subjects = { quote: `${uniq("t")}.tariff.quote`, rate: `${uniq("t")}.tariff.rate` };
  const svc = await startTariffService(nc, engine, { log, tracer: tel.tracer, subjects, queue: uniq("q") });
  const watch = await watchTariffs(kv, engine, log);
  t.teardown(async () => {
    watch.stop();
    await svc.stop();
    await kv.destroy().catch(() => {});
    await nc.close();
    await tel.shutdown();
  });
  // int64 fields decode as Long objects; compare as numbers
  const num = <T>(m: T, type: { toObject(m: T, o: object): object }) => type.toObject(m, { longs: Number, defaults: true }) as Record<string, unknown>;
  const ask = async (req: callctl.v1.IQuoteRequest) => num(await request(nc, subjects.quote, pb.QuoteRequest, pb.QuoteRequest.create(req), pb.Quote, { timeoutMs: 2000 }), pb.Quote);

  await t.rejects(ask({ callId: "c0", brand: "01097", zone: "DE_FIXED" }), { code: "UNAVAILABLE" }, "no tables yet");

  await putConfig(kv, fixtureDoc());
  const wait = async (pred: () => boolean) => {
    while (!pred()) await new Promise((r) => setTimeout(r, 10));
  };
  await wait(() => engine.ready);
  const q = await ask({ callId: "c1", brand: "01097", zone: "DE_FIXED", atMs: at("2026-03-27T17:58:30+01:00") });
  t.match(q, { callId: "c1", brand: "01097", zone: "DE_FIXED", pricePerMinMicro: 29_000, firstIncrementS: 60, nextIncrementS: 60, chargeDelayMs: 3000, unit: pb.PriceUnit.CENT, validUntilMs: at("2026-03-27T18:00:00+01:00"), nextPricePerMinMicro: 9_000 });
  t.match(q.announcementText, /^Dieses Gespräch kostet 2,9 Cent pro Minute/);
  t.ok((q.playlist as string[]).length > 5);
  t.ok((q.nextPlaylist as string[]).length > 5);

  const byDest = await ask({ callId: "c2", brand: "01097", destination: { e164: "4930123456", zone: "DE_FIXED" }, atMs: at("2026-03-28T12:00:00+01:00") });
  t.equal(byDest.pricePerMinMicro, 9_000, "zone from the destination");

  const r = await request(nc, subjects.rate, pb.RateRequest, pb.RateRequest.create({ quote: pb.Quote.fromObject(q), seconds: 180, startMs: at("2026-03-27T17:58:30+01:00") }), pb.Rating, { timeoutMs: 2000 });
  t.match(num(r, pb.Rating), { billedS: 180, amountMicro: 67_000, listAmountMicro: 67_000 });

  await t.rejects(ask({ callId: "c3", brand: "nope", zone: "DE_FIXED", atMs: 1 }), { code: "NO_TARIFF" });
  await t.rejects(ask({ callId: "c4", brand: "01097", zone: "MARS", atMs: 1 }), { code: "BAD_REQUEST" });

  // a new document replaces the tables; a bad one is refused and the old tables stay
  const doc = fixtureDoc() as { tariffs: { brands: Record<string, { price_lists: { zones: Record<string, unknown> }[] }> } };
  doc.tariffs.brands["01097"]!.price_lists[0]!.zones.DE_MOBILE = { price: "1.1ct" };
  const rev = engine.revision;
  await putConfig(kv, doc);
  await wait(() => engine.revision > rev);
  t.equal((await ask({ callId: "c5", brand: "01097", zone: "DE_MOBILE", atMs: at("2026-06-01T12:00:00+02:00") })).pricePerMinMicro, 11_000);
  const rev2 = engine.revision;
  await putConfig(kv, { tariffs: { brands: { x: { service: "nope" } } } });
  await putConfig(kv, fixtureDoc());
  await wait(() => engine.revision > rev2); // only the good document sets a revision
  t.equal((await ask({ callId: "c6", brand: "01097", zone: "DE_MOBILE", atMs: at("2026-06-01T12:00:00+02:00") })).pricePerMinMicro, 99_000, "the bad document changed nothing; the next good one applied");
});
