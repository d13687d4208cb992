// Redis killed (-9) and restarted in the middle of a run, on a real redis-server with appendonly
// yes that this test starts itself: every grant acknowledged before the crash survives, commits
// retried through the outage apply once, and nothing is granted beyond the balance afterwards.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pb } from "@callctl/core";
import { Redis } from "ioredis";
import t from "tap";
import { AccountAdmin } from "../src/admin.ts";
import { makePolicy } from "../src/policy.ts";
import { CreditStore } from "../src/store.ts";

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), "credit-redis-"));
const port = await freePort();
let server: ChildProcess | undefined;
async function startRedis(): Promise<void> {
  server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", "", "--protected-mode", "no"], { stdio: "ignore" });
  for (let i = 0; i < 200; i++) {
    const probe = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on("error", () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === "PONG") return;
    } catch {
      /* not up yet */
    } finally {
      probe.disconnect();
    }
    await sleep(25);
  }
  throw new Error("redis-server did not start");
}
async function killRedis(): Promise<void> {
  const s = server;
  if (!s || s.exitCode !== null) return;
  const gone = new Promise((r) => s.once("exit", r));
  s.kill("SIGKILL");
  await gone;
}

await startRedis();
const redis = new Redis(port, "127.0.0.1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 20 });
redis.on("error", () => {});
await redis.connect();
let now = Date.now();
const store = new CreditStore({ redis, prefix: "cc:", policy: makePolicy({ failSafe: { redisTimeoutMs: 1000, postpaidMaxS: 300 } }), clock: () => now });
const admin = new AccountAdmin(store);
t.teardown(async () => {
  redis.disconnect();
  await killRedis();
  rmSync(dir, { recursive: true, force: true });
});

t.test("kill -9 mid-run: no grant lost, no debit doubled, no over-grant", async (t) => {
  const initial = 5_000_000;
  await admin.create({ id: "r1", kind: "prepaid", balance: initial / 1e6, limits: { maxConcurrent: 1000, callsPerMinute: 100_000 } });
  const ppm = 120_000;
  let grants = 0;
  let failSafeDenies = 0;
  let commitRetries = 0;
  const committed: number[] = [];
  const problems: string[] = [];
  let crashed = false;
  let restarted = false;

  const commitUntilDone = async (callId: string, billedS: number, amount: number) => {
    for (;;) {
      try {
        const r = await store.commit({ callId, billedS, amountMicro: amount });
        if (!r.ok) problems.push(`${callId}: commit not ok`);
        return r;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== "UNAVAILABLE") {
          problems.push(`${callId}: ${code}`);
          return undefined;
        }
        commitRetries++;
        await sleep(20);
      }
    }
  };

  const worker = async (w: number) => {
    // Attempts denied fail-safe during the outage do not count: however long the restart takes on a
    // loaded machine, every worker still makes its 60 real attempts, so the balance is used up.
    for (let i = 0, attempt = 0; i < 60; attempt++) {
      const callId = `w${w}-c${i}-a${attempt}`;
      const auth = await store.authorize({ callId, accountId: "r1", product: "prepaid", pricePerMinMicro: ppm, firstIncrementS: 60, nextIncrementS: 60, requestedS: 60 + ((w * 7 + i) % 4) * 60 });
      if (auth.failSafe) {
        failSafeDenies++;
        if (auth.outcome !== pb.AuthOutcome.DENY) problems.push(`${callId}: prepaid fail-safe must deny`);
        await sleep(10);
        continue;
      }
      i++;
      if (auth.outcome !== pb.AuthOutcome.GRANT) continue;
      grants++;
      await sleep(1 + ((w + i) % 5));
      const amount = Math.ceil((auth.maxDurationS * ppm) / 60);
      const r = await commitUntilDone(callId, auth.maxDurationS, amount);
      if (r && !r.duplicate) committed.push(Number(r.debitedMicro));
      else if (r?.duplicate) committed.push(Number(r.debitedMicro)); // applied before the crash, reply lost
    }
  };

  const chaos = (async () => {
    while (grants < 8) await sleep(2);
    await killRedis();
    crashed = true;
    await sleep(150);
    await startRedis();
    restarted = true;
  })();
  await Promise.all([...Array.from({ length: 12 }, (_, w) => worker(w)), chaos]);
  t.ok(crashed && restarted, "redis-server was killed and restarted mid-run");
  t.ok(failSafeDenies > 0 || commitRetries > 0, `the outage was seen (fail-safe denies ${failSafeDenies}, commit retries ${commitRetries})`);
  t.same(problems, [], "every grant acknowledged before the crash could be committed after it");

  now += (store.policy.setupAllowanceS + store.policy.maxCallS + store.policy.commitGraceS) * 1000 + 1;
  const v = await admin.show("r1");
  const spent = committed.reduce((s, x) => s + x, 0);
  t.equal(v.balanceMicro, initial - spent, "balance = initial - debits acknowledged");
  t.ok(v.balanceMicro >= 0, "no over-grant: the account never paid more than it had");
  t.ok(spent > initial * 0.9, `the balance was used up (${spent} of ${initial} µ€)`);
  const after = await store.authorize({ callId: "after", accountId: "r1", pricePerMinMicro: ppm, firstIncrementS: 60, nextIncrementS: 60 });
  t.equal(after.outcome === pb.AuthOutcome.GRANT ? Number(after.reservedMicro) <= v.balanceMicro : after.deny?.reason === "NO_CREDIT", true, "after the restart a grant is still bounded by the balance");
});
