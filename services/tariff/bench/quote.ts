// pnpm bench:tariff — quotes in process (cached and cold) and over NATS at a fixed 2,000 req/s,
// with the NATS/Redis floor measured in the same run (services/core floor). Prints JSON.
import { cpus, loadavg } from "node:os";
import { connectNats, createLogger, Latency, loadConfigFile, measureFloor, pb, ratio, request, setupTelemetry } from "@callctl/core";
import { uniq } from "@callctl/core/testing";
import { DEFAULT_CONFIG, Quoter, startTariffService, Tables, TariffEngine, tariffConfigSchema, ZONES } from "../src/index.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const RATE = Number(process.env.TARIFF_BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.TARIFF_BENCH_SECONDS ?? 10);

const doc = loadConfigFile(tariffConfigSchema, DEFAULT_CONFIG);
const now = Date.now();
// every brand/zone pair the example configuration prices
const probe = new Quoter(new Tables(doc));
const pairs = Object.keys(doc.tariffs.brands).flatMap((b) =>
  ZONES.filter((z) => {
    try {
      probe.quote({ brand: b, zone: z, atMs: now });
      return true;
    } catch {
      return false;
    }
  }).map((z) => [b, z] as const),
);
const brands = pairs.map((p) => p[0]);
const zones = pairs.map((p) => p[1]);

function inProcess(n: number, spreadMs: number) {
  const q = new Quoter(new Tables(doc));
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = q.quote({ callId: "c", brand: brands[i % brands.length]!, zone: zones[i % zones.length]!, atMs: now + ((i * 7919) % spreadMs) });
    sink += r.pricePerMinMicro;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { quotes: n, per_s: Math.round(n / s), sink: sink > 0 };
}

async function overNats() {
  const log = createLogger("bench", { level: "warn" });
  const tel = setupTelemetry("tariff-bench");
  const server = await connectNats(NATS_URL, "tariff-bench-server");
  const client = await connectNats(NATS_URL, "tariff-bench-client");
  const engine = new TariffEngine();
  engine.load(doc);
  const subject = `${uniq("bench")}.tariff.quote`;
  const svc = await startTariffService(server, engine, { log, tracer: tel.tracer, subjects: { quote: subject, rate: `${subject}.rate` }, queue: uniq("q") });
  const req = (i: number) =>
    request(client, subject, pb.QuoteRequest, pb.QuoteRequest.create({ callId: `call-${i}`, brand: brands[i % brands.length]!, zone: zones[i % zones.length]!, atMs: Date.now() }), pb.Quote, { timeoutMs: 2000 });
  for (let i = 0; i < 2000; i++) await req(i); // warm-up
  const quote = await openLoop(req);
  // the same open-loop load against a bare NATS echo: the floor at this rate, same process, same run
  const echoSubject = `${subject}.echo`;
  const echoSub = server.subscribe(echoSubject, { callback: (_e, m) => void m.respond(m.data) });
  await server.flush();
  const payload = new Uint8Array(64);
  const echo = await openLoop(() => client.request(echoSubject, payload, { timeout: 2000 }));
  echoSub.unsubscribe();
  await svc.stop();
  await client.close();
  await server.close();
  await tel.shutdown();
  return { quote, echo_at_same_rate: echo };
}

async function openLoop(send: (i: number) => Promise<unknown>) {
  const lat = new Latency();
  const total = RATE * SECONDS;
  let sent = 0;
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * RATE) / 1000));
      while (sent < due) {
        const i = sent++;
        const s = process.hrtime.bigint();
        inflight.push(
          send(i).then(
            () => lat.since(s),
            () => void errors++,
          ),
        );
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  return { target_per_s: RATE, achieved_per_s: Math.round(total / elapsed), requests: total, errors, ...lat.summary() };
}

const cached = inProcess(2_000_000, 60_000);
const cold = inProcess(20_000, 365 * 86_400_000);
const nats = await overNats();
const floor = await measureFloor({ n: 10_000 });
const out = {
  bench: "tariff",
  at: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  in_process: { cached_per_s: cached.per_s, cold_per_s: cold.per_s, note: "cached: times within one price period; cold: random times over a year (banded zones miss the cache and compute the period)" },
  nats_quote: nats,
  floor: { nats: floor.nats, redis: floor.redis },
  ratio_to_echo_at_same_rate: { p50: ratio(nats.quote.p50_us, nats.echo_at_same_rate.p50_us), p99: ratio(nats.quote.p99_us, nats.echo_at_same_rate.p99_us) },
  ratio_to_nats_floor: { p50: ratio(nats.quote.p50_us, floor.nats.p50_us), p99: ratio(nats.quote.p99_us, floor.nats.p99_us) },
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
