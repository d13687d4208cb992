// Property (issue 5): 200 concurrent calls on one prepaid account with random durations, extends,
// retries, duplicate commits and crashes between reserve and commit. Whatever the interleaving:
// the debits equal the billed amounts, no grant is ever beyond the balance, nothing goes negative.
import { pb } from "@callctl/core";
import fc from "fast-check";
import t from "tap";
import { billed, fixture } from "./helpers.ts";

const f = await fixture();
t.teardown(() => f.close());

const callArb = fc.record({
  requested: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 900 })),
  talk: fc.integer({ min: 0, max: 3000 }),
  extendSlice: fc.integer({ min: 1, max: 600 }),
  fate: fc.constantFrom("answered", "answered", "answered", "unanswered", "crash"),
  retryAuthorize: fc.boolean(),
  commits: fc.integer({ min: 1, max: 3 }),
  jitter: fc.integer({ min: 0, max: 4 }),
});
const scenarioArb = fc.record({
  balance: fc.integer({ min: 100_000, max: 100_000_000 }),
  ppm: fc.integer({ min: 1_000, max: 2_000_000 }),
  fee: fc.constantFrom(0, 0, 15_000, 99_000),
  incr: fc.constantFrom([60, 60], [60, 1], [1, 1], [30, 30], [30, 6]),
  calls: fc.array(callArb, { minLength: 200, maxLength: 200 }),
});

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

let run = 0;
t.test("200 concurrent calls never overspend one prepaid account", async (t) => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (sc) => {
      const acct = `prop${++run}`;
      await f.admin.create({ id: acct, kind: "prepaid", balance: sc.balance / 1e6, limits: { maxConcurrent: 1000, callsPerMinute: 100_000 } });
      const [a, b] = sc.incr as [number, number];
      const cost = (d: number) => (d === 0 ? 0 : sc.fee + Math.ceil((d * sc.ppm) / 60));
      const key = `${f.prefix}a:${acct}`;
      const problems: string[] = [];
      let sampling = true;
      // the account is sampled all along: reservations never exceed the balance
      const sampler = (async () => {
        while (sampling) {
          const [bal, res] = (await f.redis.hmget(key, "bal", "res")).map(Number) as [number, number];
          if (res > bal || bal < 0) problems.push(`reserved ${res} > balance ${bal}`);
          await ticks(1);
        }
      })();
      const billedAmounts: number[] = [];
      const debits: number[] = [];
      await Promise.all(
        sc.calls.map(async (c, i) => {
          const callId = `${acct}-c${i}`;
          await ticks(c.jitter);
          const req = { callId, accountId: acct, product: "prepaid", pricePerMinMicro: sc.ppm, firstIncrementS: a, nextIncrementS: b, connectFeeMicro: sc.fee, requestedS: c.requested, destination: { zone: "DE_MOBILE" } };
          const auth = await f.store.authorize(req);
          if (c.retryAuthorize && auth.outcome === pb.AuthOutcome.GRANT) {
            const again = await f.store.authorize(req);
            if (again.reservationId !== auth.reservationId || again.maxDurationS !== auth.maxDurationS) problems.push(`${callId}: retried authorize differs`);
          }
          if (auth.outcome !== pb.AuthOutcome.GRANT) {
            if (auth.deny?.reason !== "NO_CREDIT") problems.push(`${callId}: unexpected deny ${auth.deny?.reason}`);
            return;
          }
          let granted = auth.maxDurationS;
          const whole = (d: number) => d >= a && (d - a) % b === 0;
          if (!whole(granted) || Number(auth.reservedMicro) !== cost(granted)) problems.push(`${callId}: grant ${granted}s reserves ${auth.reservedMicro}`);
          if (c.fate === "crash") return; // the switch died: no commit, no release
          if (c.fate === "unanswered") {
            await Promise.all([f.store.release({ callId, reservationId: auth.reservationId }), f.store.release({ callId })]);
            return;
          }
          let final = auth.final;
          while (c.talk > granted && !final) {
            await ticks(c.jitter);
            const ext = await f.store.extend({ callId, reservationId: auth.reservationId, usedS: granted, requestedS: c.extendSlice });
            if (ext.outcome !== pb.AuthOutcome.GRANT || ext.maxDurationS < granted || !whole(ext.maxDurationS)) problems.push(`${callId}: bad extend`);
            if (Number(ext.reservedMicro) !== cost(ext.maxDurationS)) problems.push(`${callId}: extend reserves ${ext.reservedMicro} for ${ext.maxDurationS}s`);
            granted = ext.maxDurationS;
            final = ext.final;
          }
          const secs = Math.min(c.talk, granted); // the switch's call timer ends the call at the grant
          const bs = billed(secs, a, b);
          const amount = cost(bs);
          billedAmounts.push(amount);
          const results = await Promise.all(Array.from({ length: c.commits }, () => f.store.commit({ callId, reservationId: auth.reservationId, billedS: bs, amountMicro: amount })));
          if (results.filter((r) => !r.duplicate).length !== 1) problems.push(`${callId}: ${results.length} commits, not exactly one applied`);
          if (results.some((r) => !r.ok || Number(r.debitedMicro) !== amount)) problems.push(`${callId}: commit results differ`);
          debits.push(Number(results[0]?.debitedMicro));
        }),
      );
      sampling = false;
      await sampler;
      // crashed calls' reservations free themselves once their validity passes
      f.clock.advance((f.store.policy.setupAllowanceS + f.store.policy.maxCallS + f.store.policy.commitGraceS) * 1000 + 1);
      const probe = await f.store.authorize({ callId: `${acct}-probe`, accountId: acct, pricePerMinMicro: sc.ppm, firstIncrementS: a, nextIncrementS: b, connectFeeMicro: sc.fee });
      if (probe.outcome === pb.AuthOutcome.GRANT) await f.store.release({ callId: `${acct}-probe` });
      const v = await f.admin.show(acct);
      const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
      t.same(problems, [], "no invariant broken during the run");
      t.equal(sum(debits), sum(billedAmounts), "sum of debits = sum of billed amounts");
      t.equal(v.balanceMicro, sc.balance - sum(debits), "balance = initial - debits");
      t.ok(v.balanceMicro >= 0, "never negative (billed never above the grant)");
      t.equal(v.reservedMicro, 0, "every reservation committed, released or expired");
      t.equal(v.activeCalls, 0);
      return problems.length === 0 && v.balanceMicro >= 0 && v.reservedMicro === 0;
    }),
    { numRuns: 15, seed: Number(process.env.CREDIT_PROP_SEED ?? Date.now() % 2 ** 31) },
  );
});
