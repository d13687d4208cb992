// In-process decisions per second on a generated 100,000-prefix deck (per trunk), single core.
// Issue 3 target: >= 1,000,000 decisions/s. The machine is shared, so besides wall-clock rates the
// bench reports decisions per CPU-second of this process (process.cpuUsage: every thread, GC
// included), which other load on the box does not inflate.
import { loadavg } from "node:os";
import { compile, Router, routingConfigSchema } from "../src/index.ts";
import { dialedPool, documentWithDecks } from "./gen.ts";

const PREFIXES = Number(process.env.PREFIXES ?? 100_000);
const tables = compile(routingConfigSchema.parse(documentWithDecks(PREFIXES)));
const router = new Router({ tables });
const pool = dialedPool(50_000);
const reqs = pool.map((dialed, i) => ({ callId: `b${i}`, dialed, caller: "49301234567", product: "", accountId: "" }));

function run(n: number): { perSec: number; perCpuSec: number; routes: number } {
  let routes = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (router.decide(reqs[i % reqs.length]!).outcome === 1) routes++;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { perSec: Math.round(n / s), perCpuSec: Math.round(n / ((c.user + c.system) / 1e6)), routes };
}

run(200_000); // warm-up: JIT and the international classification cache
const mixed = run(2_000_000);
// the German-only share (number-plan catalogue, no libphonenumber)
const de = reqs.filter((r) => !r.dialed.startsWith("0109700"));
let t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
for (let i = 0; i < 2_000_000; i++) router.decide(de[i % de.length]!);
const dePerSec = Math.round(2_000_000 / (Number(process.hrtime.bigint() - t0) / 1e9));
const deCpu = process.cpuUsage(c0);
const dePerCpuSec = Math.round(2_000_000 / ((deCpu.user + deCpu.system) / 1e6));
// international numbers never seen before: libphonenumber on every decision (cache cold)
const cold = new Router({ tables, intlCacheSize: 1 });
const fresh = Array.from({ length: 20_000 }, (_, i) => ({ dialed: `0109700436641${String(i).padStart(6, "0")}`, caller: "49301234567" }));
t0 = process.hrtime.bigint();
for (const r of fresh) cold.decide(r);
const coldPerSec = Math.round(fresh.length / (Number(process.hrtime.bigint() - t0) / 1e9));
console.log(JSON.stringify({ bench: "routing.decide.inprocess", prefixes_per_deck: PREFIXES, trunks: tables.brands.get("01097")!.trunks.length, mixed_per_s: mixed.perSec, mixed_per_cpu_s: mixed.perCpuSec, route_share: Math.round((mixed.routes / 2_000_000) * 100) / 100, german_only_per_s: dePerSec, german_only_per_cpu_s: dePerCpuSec, intl_uncached_per_s: coldPerSec, target_per_s: 1_000_000, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) }));
