// npm run bench:credit: authorize+commit pairs/s on one core (in-process store, Redis only) and
// p50/p99 over NATS at a fixed open-loop rate (default 2,000 req/s = 1,000 pairs/s), both as
// ratios to the NATS and Redis floor measured in the same run. Prints JSON.
import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { askCpuUs, connectNats, Latency, measureFloor, openLoop, pb, ratio, request } from "@callctl/core";
import { Redis } from "ioredis";
import { AccountAdmin } from "../src/admin.ts";
import { makePolicy } from "../src/policy.ts";
import { creditSubjects } from "../src/service.ts";
import { CreditStore } from "../src/store.ts";

const RATE = Number(process.env.CREDIT_BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.CREDIT_BENCH_SECONDS ?? 10);
const ACCOUNTS = 2000;
const prefix = `ccbench${Date.now().toString(36)}:`;
const root = `bench.${Date.now().toString(36)}.credit`;
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(redisUrl);
const store = new CreditStore({ redis, prefix, policy: makePolicy({ failSafe: { redisTimeoutMs: 2000, postpaidMaxS: 300 } }) });
const admin = new AccountAdmin(store);
const req = (callId: string, i: number) => ({ callId, accountId: `b${i % ACCOUNTS}`, product: "prepaid", pricePerMinMicro: 39_000, firstIncrementS: 60, nextIncrementS: 60, requestedS: 60, destination: { zone: "DE_FIXED" } });

const floor = await measureFloor({ n: 10_000 });
for (let i = 0; i < ACCOUNTS; i++) await admin.create({ id: `b${i}`, kind: "prepaid", balance: 100, limits: { maxConcurrent: 1000, callsPerMinute: 100_000 } });

// 1. one core: sequential pairs (latency) and 64 pairs in flight (throughput), no NATS
const seq = new Latency();
for (let i = 0; i < 5000; i++) {
  const t0 = process.hrtime.bigint();
  const a = await store.authorize(req(`s${i}`, i));
  await store.commit({ callId: `s${i}`, reservationId: a.reservationId, billedS: 60, amountMicro: 39_000 });
  seq.since(t0);
}
let n = 0;
const t0 = performance.now();
const until = t0 + 5000;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (performance.now() < until) {
      const id = `p${n++}`;
      const a = await store.authorize(req(id, n));
      await store.commit({ callId: id, reservationId: a.reservationId, billedS: 60, amountMicro: 39_000 });
    }
  }),
);
const pairsPerS = Math.round(n / ((performance.now() - t0) / 1000));

// 2. over NATS, service in its own process, open loop at RATE requests/s (half authorize, half commit)
const child = spawn(process.execPath, ["--import", `file://${join(import.meta.dirname, "../../../node_modules/tsx/dist/loader.mjs")}`, join(import.meta.dirname, "server.ts"), prefix, root], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise<void>((resolve) => child.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve()));
const subjects = creditSubjects(root);
const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "credit-bench-client");
const auth = new Latency();
const commit = new Latency();
let errors = 0;
const pair = async (id: string, i: number, scheduled: bigint) => {
  try {
    const a = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create(req(id, i)), pb.Authorization, { timeoutMs: 2000 });
    auth.since(scheduled);
    const c0 = process.hrtime.bigint();
    await request(nc, subjects.commit, pb.CommitRequest, pb.CommitRequest.create({ callId: id, reservationId: a.reservationId, billedS: 60, amountMicro: 39_000 }), pb.CommitResult, { timeoutMs: 2000 });
    commit.since(c0);
  } catch {
    errors++;
  }
};
for (let i = 0; i < 500; i++) await pair(`w${i}`, i, process.hrtime.bigint()); // warm-up
auth.reset();
commit.reset();
child.kill("SIGUSR2");
const pairsTotal = Math.round((RATE / 2) * SECONDS);
const achieved = 2 * (await openLoop(pairsTotal, RATE / 2, (i, at) => pair(`n${i}`, i, at)));
const cpuUs = await askCpuUs(child);
child.kill("SIGTERM");
await nc.close();

// clean up the bench keys
let cursor = "0";
do {
  const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 5000);
  if (keys.length) await redis.unlink(...keys);
  cursor = next;
} while (cursor !== "0");
redis.disconnect();

const s = seq.summary();
const a = auth.summary();
const c = commit.summary();
const out = {
  bench: "credit",
  at: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  floor,
  store_one_core: { pairs_per_s: pairsPerS, in_flight: 64, sequential_pair: s, pair_p50_vs_2x_redis_p50: ratio(s.p50_us, 2 * floor.redis.p50_us) },
  nats: {
    target_req_per_s: RATE,
    achieved_req_per_s: achieved,
    errors,
    service_cpu_us_per_request: Math.round(cpuUs / (pairsTotal * 2)),
    authorize: a,
    commit: c,
    authorize_p50_vs_floor: ratio(a.p50_us, floor.nats.p50_us + floor.redis.p50_us),
    authorize_p99_vs_floor: ratio(a.p99_us, floor.nats.p99_us + floor.redis.p99_us),
    commit_p50_vs_floor: ratio(c.p50_us, floor.nats.p50_us + floor.redis.p50_us),
    commit_p99_vs_floor: ratio(c.p99_us, floor.nats.p99_us + floor.redis.p99_us),
  },
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
