// The credit service in its own process for the NATS benchmark (argv: prefix, subject root).
import { createLogger, connectNats, serveCpuReport, setupTelemetry } from "@callctl/core";
import { Redis } from "ioredis";
import { makePolicy } from "../src/policy.ts";
import { creditSubjects, startCreditService } from "../src/service.ts";

const [prefix = "ccbench:", root = "bench.credit"] = process.argv.slice(2);
const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "credit-bench-server");
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
await new Promise((r) => redis.once("ready", r));
const tel = setupTelemetry("credit-bench");
const svc = await startCreditService({ nc, redis, log: createLogger("credit", { level: "warn" }), tracer: tel.tracer, meter: tel.meter, prefix, subjects: creditSubjects(root), policy: makePolicy({ failSafe: { redisTimeoutMs: 1000, postpaidMaxS: 300 } }) });
process.stdout.write("ready\n");
serveCpuReport();
process.on("SIGTERM", async () => {
  await svc.stop();
  await nc.drain();
  redis.disconnect();
  process.exit(0);
});
