// compileOffThread (worker thread, transferred tries, one-pass rate validation) gives the same
// tables as compile() and refuses a bad document with exactly the issues validateConfig reports.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigFileError, readYamlConfig, validateConfig } from "@callctl/core";
import t from "tap";
import { compile, compileOffThread, Router, routingConfigSchema } from "../src/index.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");
const DIALED = ["01097030123456", "0109701711234567", "010970043664123456", "01097004420712345", "0109709001234567", "01097110", "0109712345", "01012004420712345", "+4930123456", "010970012133734567"];

t.test("same decisions as compile(), raw rates dropped", async (t) => {
  const { doc } = readYamlConfig(EXAMPLE);
  const json = JSON.stringify(doc);
  const sync = compile(routingConfigSchema.parse(JSON.parse(json)), 7);
  const off = await compileOffThread(new TextEncoder().encode(json), 7);
  t.equal(off.version, sync.version);
  const a = new Router({ tables: sync, now: () => 0 });
  const b = new Router({ tables: off, now: () => 0 });
  for (const dialed of DIALED) for (const caller of ["49301234567", "", "4989123456"]) t.same(b.decide({ callId: "x", dialed, caller }), a.decide({ callId: "x", dialed, caller }), `${dialed} from ${caller || "no CLI"}`);
  for (const d of Object.values(off.config.rateDecks)) t.same(d.rates, {});
});

t.test("a bad document: the same issues as validateConfig", async (t) => {
  const { doc } = readYamlConfig(EXAMPLE);
  const bad = structuredClone(doc) as { rateDecks: Record<string, { rates: Record<string, unknown> }>; lcr: unknown };
  const deck = Object.keys(bad.rateDecks)[0]!;
  bad.rateDecks[deck]!.rates["49x"] = 5;
  bad.rateDecks[deck]!.rates["491"] = -1;
  bad.lcr = { maxCandidates: 99 };
  const want = t.throws(() => validateConfig(routingConfigSchema, bad, {}, "kv:callctl-config/config@3")) as unknown as ConfigFileError;
  const got = await compileOffThread(JSON.stringify(bad), 3).catch((e: unknown) => e);
  t.ok(got instanceof ConfigFileError);
  t.same((got as ConfigFileError).issues, want.issues);
  const onlyLcr = structuredClone(doc) as Record<string, unknown>;
  onlyLcr.lcr = { maxCandidates: 0 };
  const want2 = t.throws(() => validateConfig(routingConfigSchema, onlyLcr, {}, "kv:callctl-config/config@4")) as unknown as ConfigFileError;
  t.same(((await compileOffThread(JSON.stringify(onlyLcr), 4).catch((e: unknown) => e)) as ConfigFileError).issues, want2.issues);
  await t.rejects(compileOffThread("{not json", 5));
});

// The deck worker's CPU must not come out of the decisions' share (issue 3: a swap under load does
// not move p99): it runs under SCHED_IDLE (policy 5 in /proc/<pid>/task/<tid>/stat, field 41), and
// with { idle: false } at nice 10 under the normal policy. Seen from this thread while the worker
// scans. It is one thread for all documents (no worker bootstrap, no fork on a swap), unless a job
// asks for a worker of its own ({ fresh: true }), which ends with its job.
const bigDocument = () => {
  const { doc } = readYamlConfig(EXAMPLE);
  const big = structuredClone(doc) as { rateDecks: Record<string, { rates: Record<string, number> }> };
  const rates: Record<string, number> = {};
  for (let i = 0; i < 300_000; i++) rates[`${4900000000 + i * 37}`] = 1000 + (i % 5000);
  big.rateDecks[Object.keys(big.rateDecks)[0]!]!.rates = rates;
  return new TextEncoder().encode(JSON.stringify(big));
};
/** This process's threads at nice 10 (the deck worker's nice) with their scheduling policy. */
const nice10 = () =>
  readdirSync("/proc/self/task").flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from 3 on
      return Number(f[16]) === 10 ? [{ tid, policy: Number(f[38]) }] : []; // fields 19 and 41 of stat
    } catch {
      return [];
    }
  });
/** Compiles `bytes` and returns, per nice-10 thread seen meanwhile, its policies in the order seen. */
async function watchCompile(bytes: Uint8Array, opts: Parameters<typeof compileOffThread>[4]): Promise<Map<string, number[]>> {
  const seen = new Map<string, number[]>();
  let done = false;
  const p = compileOffThread(bytes, 1, undefined, true, opts).then(() => (done = true));
  while (!done) {
    for (const th of nice10()) {
      const policies = seen.get(th.tid) ?? [];
      if (policies.at(-1) !== th.policy) policies.push(th.policy);
      seen.set(th.tid, policies);
    }
    await new Promise((r) => setImmediate(r));
  }
  await p;
  return seen;
}
const linuxChrt = process.platform !== "linux" || !existsSync("/usr/bin/chrt") ? "needs Linux and util-linux chrt" : false;

t.test("the deck worker runs under SCHED_IDLE, or at nice 10 when asked", { skip: linuxChrt }, async (t) => {
  const bytes = bigDocument();
  const workers = new Set<string>();
  // (a deadline far away: a box too busy for an idle-policy thread would put it back to the normal policy after the default 2 s)
  for (const [idle, idleDeadlineMs, want] of [
    [true, 600_000, [5]],
    [false, undefined, [0]],
    [true, 0, [5, 0]], // past its deadline at once: SCHED_IDLE, then the normal policy from the first poll on (last two policies seen)
    [true, 600_000, [5]], // and SCHED_IDLE again for the next document
  ] as const) {
    const seen = await watchCompile(bytes.slice(), { idle, idleDeadlineMs });
    t.equal(seen.size, 1, `one thread at nice 10 while the worker scanned (idle: ${idle})`);
    const [tid, policies] = [...seen][0] ?? ["", []];
    workers.add(tid);
    if (idleDeadlineMs !== 0) t.equal(policies.at(-1), want[0], idle ? "SCHED_IDLE" : "the normal policy");
    else t.same(policies.slice(-2), want, "SCHED_IDLE, then SCHED_OTHER once the deadline passed");
  }
  t.equal(workers.size, 1, "the same worker thread for every document");
});

t.test("{ fresh: true }: a worker of its own, gone after its job; the kept one stays", { skip: linuxChrt }, async (t) => {
  const bytes = bigDocument();
  await compileOffThread(bytes.slice(), 1, undefined, true);
  const kept = nice10().map((th) => th.tid);
  t.equal(kept.length, 1, "the kept worker");
  const seen = await watchCompile(bytes.slice(), { fresh: true });
  const own = [...seen.keys()].filter((tid) => !kept.includes(tid));
  t.equal(own.length, 1, "a second thread scanned this document");
  for (let i = 0; i < 100 && nice10().length > 1; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(
    nice10().map((th) => th.tid),
    kept,
    "only the kept worker is left",
  );
});

t.test("a view into a larger buffer (as nats.js hands over a KV value) is copied, never detached", async (t) => {
  const { doc } = readYamlConfig(EXAMPLE);
  const bytes = new TextEncoder().encode(JSON.stringify(doc));
  const outer = new Uint8Array(bytes.length + 64);
  outer.set(bytes, 7);
  const view = outer.subarray(7, 7 + bytes.length);
  for (const transfer of [false, true]) {
    const tables = await compileOffThread(view, 3, undefined, transfer);
    t.equal(tables.version, compile(routingConfigSchema.parse(doc), 3).version, `same tables (transfer: ${transfer})`);
    t.equal(view.byteLength, bytes.length, "the caller's view still has its bytes");
    t.same(view.subarray(0, 64), bytes.subarray(0, 64));
  }
  // a refused view goes to the full path from the shared copy, and the caller's bytes stay
  const bad = new TextEncoder().encode(JSON.stringify({ ...doc, lcr: { maxCandidates: 99 } }));
  const outerBad = new Uint8Array(bad.length + 3);
  outerBad.set(bad, 3);
  await t.rejects(compileOffThread(outerBad.subarray(3), 4), ConfigFileError);
  t.equal(outerBad.byteLength, bad.length + 3);
});
