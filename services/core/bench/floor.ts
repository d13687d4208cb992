// pnpm bench:floor — loopback NATS request/reply and Redis PING round trips (p50/p99 over ≥10,000 calls) as JSON.
import { cpus, loadavg } from "node:os";
import { measureFloor } from "../src/floor.ts";

export { measureFloor, ratio } from "../src/floor.ts";

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.env.FLOOR_N ?? 20_000);
  const floor = await measureFloor({ n });
  const out = { bench: "floor", at: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 100) / 100), calls: n, ...floor };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
