// Bench child process: the REAL routing, tariff and credit services on private subjects (prefix
// from argv), tables from the example configuration in a private KV bucket, balances in Redis under
// a private prefix. Reports "ready" over IPC, cleans up and exits on "stop".
import { join } from "node:path";
import { createLogger, putConfig, readYamlConfig } from "@callctl/core";
import { TEST_REDIS_URL, testNats } from "@callctl/core/testing";
import { creditSubjects, makePolicy, startCreditService } from "@callctl/credit";
import { startRouting } from "@callctl/routing";
import { startTariffService, TariffEngine, watchTariffs } from "@callctl/tariff";
import { Kvm } from "@nats-io/kv";
import { trace } from "@opentelemetry/api";
import { Redis } from "ioredis";

const p = process.argv[2] ?? "bench";
const log = createLogger("bench-services", { level: "error" });
const tracer = trace.getTracer("bench-services");
const nc = await testNats("bench-services");
const kv = await new Kvm(nc).create(`B${p}`, { history: 1 });
const { doc } = readYamlConfig(join(import.meta.dirname, "../../../infra/config/example"));
await putConfig(kv, doc);
const routing = await startRouting({ nc, kv, log, tracer, subjects: { decide: `${p}.route.decide`, blocks: `${p}.route.blocks`, attempts: `${p}.calls.attempt`, stream: `${p}_CALLS` } });
await routing.loaded;
const engine = new TariffEngine();
const watch = await watchTariffs(kv, engine, log);
const tariff = await startTariffService(nc, engine, { log, tracer, subjects: { quote: `${p}.tariff.quote`, rate: `${p}.tariff.rate` }, queue: p });
while (!engine.ready) await new Promise((r) => setTimeout(r, 5));
const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
await redis.connect();
const credit = await startCreditService({ nc, redis, log, tracer, prefix: `${p}:`, name: `credit-${p}`, subjects: creditSubjects(`${p}.credit`), policy: makePolicy(doc.credit as object) });
process.send?.({ ready: true });

process.on("message", async (m: { stop?: boolean; cpu?: boolean }) => {
  if (m.cpu) process.send?.({ cpu: process.cpuUsage() });
  if (!m.stop) return;
  await credit.stop();
  await tariff.stop();
  watch.stop();
  await routing.stop();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${p}:*`, "COUNT", 5000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
  await kv.destroy().catch(() => {});
  await nc.close();
  process.exit(0);
});
