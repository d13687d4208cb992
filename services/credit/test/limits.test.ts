// Ad-funded talk time (000 §5.3), postpaid call-by-call limits, spike flag (001 §4.1.4 c),
// blocking (001 §12.2) and the fail-safe policy when Redis is unreachable.
import { pb } from "@callctl/core";
import { Redis } from "ioredis";
import t from "tap";
import { CreditStore } from "../src/store.ts";
import { makePolicy } from "../src/policy.ts";
import { calendarKeys } from "../src/time.ts";
import { call, fixture } from "./helpers.ts";

const f = await fixture({ adfunded: { zones: { EU_MOBILE: 2, WORLD_MOBILE: 0.5, DE_SERVICE: 0 } }, spike: { factor: 3, minUsageMicro: 1_000_000 } });
t.teardown(() => f.close());
const { GRANT, DENY } = pb.AuthOutcome;
const ad = (callId: string, session: string, zone: string) => ({ callId, product: "adfunded", sessionId: session, destination: { zone }, firstIncrementS: 1, nextIncrementS: 1 });

t.test("ad-funded: 5 min per ad minute by default, zone-dependent, 10 minutes per call at most", async (t) => {
  const g = await f.admin.grantAdTime("s1", 1, "DE_MOBILE");
  t.equal(g.talkSecondsForZone, 300, "000 §5.3: default 5 minutes per ad minute");
  const a = await f.store.authorize(ad("ad1", "s1", "DE_MOBILE"));
  t.same([a.outcome, a.maxDurationS, a.final], [GRANT, 300, true]);
  await f.store.release({ callId: "ad1" });
  const eu = await f.store.authorize(ad("ad2", "s1", "EU_MOBILE"));
  t.equal(eu.maxDurationS, 120, "2 min per ad minute to EU mobiles");
  await f.store.commit({ callId: "ad2", billedS: 60, amountMicro: 0 });
  // half the ad minute is spent: 30 ad seconds left = 150 s to DE
  const de = await f.store.authorize(ad("ad3", "s1", "DE_FIXED"));
  t.equal(de.maxDurationS, 150);
  await f.store.release({ callId: "ad3" });
  await f.admin.grantAdTime("s1", 10);
  f.clock.advance(60_000); // 3 calls per minute per session (000 §5.7)
  const capped = await f.store.authorize(ad("ad4", "s1", "DE_FIXED"));
  t.same([capped.maxDurationS, capped.final], [600, true], "000 §5.3: at most 10 minutes per call");
  const ext = await f.store.extend({ callId: "ad4", usedS: 590, requestedS: 300 });
  t.same([ext.maxDurationS, ext.final], [600, true], "no extension past 10 minutes");
  await f.store.commit({ callId: "ad4", billedS: 600, amountMicro: 0 });
  const svc = await f.store.authorize(ad("ad5", "s1", "DE_SERVICE"));
  t.same([svc.outcome, svc.deny?.reason], [DENY, "DESTINATION_NOT_ALLOWED"]);
  t.equal((await f.admin.grantAdTime("s1", 0).catch((e) => e)).code, "BAD_REQUEST");
  t.equal((await f.admin.grantAdTime("s1", 1e9).catch((e) => e)).code, "BAD_REQUEST");
});

t.test("ad-funded: the time lives only as long as the web session (000 §5.3, §5.5)", async (t) => {
  await f.admin.grantAdTime("s2", 2);
  const a = await f.store.authorize(ad("ad6", "s2", "DE_MOBILE"));
  t.equal(a.outcome, GRANT);
  await f.store.commit({ callId: "ad6", billedS: 30, amountMicro: 0 });
  f.clock.advance(f.store.policy.adfunded.sessionTtlS * 1000 + 1);
  const late = await f.store.authorize(ad("ad7", "s2", "DE_MOBILE"));
  t.same([late.outcome, late.deny?.reason, late.deny?.announcement], [DENY, "SESSION_EXPIRED", "reject/session_expired"]);
  const fresh = await f.admin.grantAdTime("s2", 1, "DE_MOBILE");
  t.equal(fresh.talkSecondsForZone, 300, "a new session starts from zero: the old time is lost");
  await f.admin.endSession("s2");
  t.equal((await f.store.authorize(ad("ad8", "s2", "DE_MOBILE"))).deny?.reason, "SESSION_EXPIRED", "closing the page forfeits the time");
  t.equal((await f.store.authorize(ad("ad9", "never", "DE_MOBILE"))).deny?.reason, "SESSION_EXPIRED");
});

t.test("postpaid call-by-call: cli:<E164> created on first use, concurrency and velocity limits", async (t) => {
  const cbc = (id: string) => ({ ...call(id, ""), product: "callbycall", caller: "4930123456" });
  const a = await f.store.authorize(cbc("pp1"));
  t.same([a.outcome, a.maxDurationS, a.warnBeforeEndS], [GRANT, 14_400, 0]);
  t.equal((await f.admin.show("cli:4930123456")).kind, "postpaid");
  await f.store.authorize(cbc("pp2"));
  const third = await f.store.authorize(cbc("pp3"));
  t.same([third.deny?.reason, third.deny?.detail], ["LIMIT_EXCEEDED", "concurrency"]);
  for (const id of ["pp1", "pp2"]) await f.store.release({ callId: id });
  let last = third;
  for (let i = 4; i <= 7; i++) last = await f.store.authorize(cbc(`pp${i}`));
  t.same([last.deny?.reason, last.deny?.detail], ["LIMIT_EXCEEDED", "velocity"], "000 §5.7: 6 attempts per minute at most");
  f.clock.advance(60_000);
  const next = await f.store.authorize(cbc("pp8"));
  t.equal(next.deny?.detail ?? "", next.outcome === GRANT ? "" : "concurrency", "a new minute resets the velocity window");
});

t.test("daily spend cap limits postpaid grants and then denies", async (t) => {
  await f.admin.create({ id: "pd", kind: "postpaid", limits: { dailySpendMicro: 600_000, maxConcurrent: 5, callsPerMinute: 100 } });
  const a = await f.store.authorize(call("pd1", "pd"));
  t.same([a.maxDurationS, a.final], [300, true], "0.60 € cap buys 5 minutes at 12 ct");
  await f.store.commit({ callId: "pd1", billedS: 240, amountMicro: 480_000 });
  const b = await f.store.authorize(call("pd2", "pd"));
  t.equal(b.maxDurationS, 60);
  await f.store.commit({ callId: "pd2", billedS: 60, amountMicro: 120_000 });
  const c = await f.store.authorize(call("pd3", "pd"));
  t.same([c.deny?.reason, c.deny?.detail], ["LIMIT_EXCEEDED", "balance"]);
});

t.test("usage far above the 3-month average is flagged (or blocked) (001 §4.1.4 c)", async (t) => {
  await f.admin.create({ id: "ps", kind: "postpaid", limits: { dailySpendMicro: 0, maxConcurrent: 5, callsPerMinute: 100 } });
  const [m1, m2, m3] = calendarKeys(f.clock.now).prev;
  for (const m of [m1, m2, m3]) await f.admin.setMonthlyUsage("ps", m, 1_000_000);
  await f.store.authorize(call("ps1", "ps"));
  await f.store.commit({ callId: "ps1", billedS: 600, amountMicro: 2_000_000 });
  t.equal((await f.admin.show("ps")).spike, null, "2 € against a 1 € average: not yet");
  await f.store.authorize(call("ps2", "ps"));
  await f.store.commit({ callId: "ps2", billedS: 600, amountMicro: 1_500_000 });
  const v = await f.admin.show("ps");
  t.same(v.spike, { month: calendarKeys(f.clock.now).month, usageMicro: 3_500_000, avgMicro: 1_000_000 });
  t.equal(v.status, "active", "action flag: still allowed");
  t.equal(v.audit[0]?.action, "spike");
  f.store.setPolicy(makePolicy({ ...f.store.policy, spike: { factor: 3, minUsageMicro: 0, action: "block" } }));
  await f.admin.create({ id: "pb", kind: "postpaid", limits: { dailySpendMicro: 0, maxConcurrent: 5, callsPerMinute: 100 } });
  await f.admin.setMonthlyUsage("pb", m1, 300_000);
  await f.store.authorize(call("pb1", "pb"));
  await f.store.commit({ callId: "pb1", billedS: 600, amountMicro: 1_200_000 });
  const blocked = await f.store.authorize(call("pb2", "pb"));
  t.same([blocked.deny?.reason, blocked.deny?.detail], ["ACCOUNT_BLOCKED", "SPIKE"]);
});

t.test("fail-safe while Redis is unreachable: prepaid and ad-funded deny, call-by-call capped", async (t) => {
  const dead = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  dead.on("error", () => {});
  const store = new CreditStore({ redis: dead, prefix: "x:", policy: makePolicy({ failSafe: { postpaidMaxS: 300, redisTimeoutMs: 200 } }) });
  const pre = await store.authorize(call("fs1", "prepaid:1001"));
  t.same([pre.outcome, pre.failSafe, pre.deny?.reason, pre.deny?.q850], [DENY, true, "CREDIT_UNAVAILABLE", 41]);
  const adf = await store.authorize(ad("fs2", "s9", "DE_MOBILE"));
  t.same([adf.outcome, adf.failSafe], [DENY, true]);
  const cbc = await store.authorize({ ...call("fs3", ""), product: "callbycall", caller: "4930999" });
  t.same([cbc.outcome, cbc.failSafe, cbc.maxDurationS, cbc.final], [GRANT, true, 300, true]);
  t.equal((await store.commit({ callId: "fs3", billedS: 60, amountMicro: 1 }).catch((e) => e)).code, "UNAVAILABLE", "commit: a retryable error");
  dead.disconnect();
});
