// The routing service in its own process for the NATS benchmark (argv: subject root, KV bucket,
// stream). Prints "ready" once the tables from the KV document are loaded; on SIGUSR2 it resets
// and on SIGUSR1 it reports ("cpu N") its CPU time in µs.
import { connectNats, createLogger, serveCpuReport, setupTelemetry } from "@callctl/core";
import { Kvm } from "@nats-io/kv";
import { startRouting } from "../src/index.ts";

const [root = "bench.routing", bucket = "callctl-bench-routing", stream = "BENCHROUTING"] = process.argv.slice(2);
const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "routing-bench-server");
const kv = await new Kvm(nc).open(bucket);
const tel = setupTelemetry("routing-bench");
const svc = await startRouting({ nc, kv, log: createLogger("routing", { level: "warn" }), tracer: tel.tracer, meter: tel.meter, subjects: { decide: `${root}.route.decide`, blocks: `${root}.route.blocks`, attempts: `${root}.calls.attempt`, stream } });
await svc.loaded;
process.stdout.write("ready\n");
serveCpuReport();
process.on("SIGTERM", async () => {
  await svc.stop();
  await nc.drain();
  process.exit(0);
});
