// callctl.credit.settle.batch over NATS: commits and releases of many calls in one request, each
// exactly like the single-call endpoint (idempotent per call id), per-item refusals in the results.
import { type callctl, createLogger, pb, request, setupTelemetry } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import t from "tap";
import { creditSubjects, startCreditService } from "../src/service.ts";
import { call, fixture } from "./helpers.ts";

const f = await fixture();
const nc = await testNats("credit-batch-test");
const tel = setupTelemetry("credit-batch-test");
const subjects = creditSubjects(`test.${uniq()}.credit`);
const svc = await startCreditService({ nc, redis: f.redis, log: createLogger("credit-test", { level: "silent" }), tracer: tel.tracer, prefix: f.prefix, subjects, clock: () => f.clock.now });
t.teardown(async () => {
  await svc.stop();
  await nc.close();
  await f.close();
});
const opts = { timeoutMs: 2000 };
const batch = (items: callctl.v1.ISettleItem[]) => request(nc, subjects.settleBatch, pb.SettleBatchRequest, { items }, pb.SettleBatchResult, opts);

t.test("commits and releases in one batch; the same batch again changes nothing", async (t) => {
  const rids: string[] = [];
  for (const id of ["bc1", "bc2", "bc3"]) {
    await svc.admin.create({ id: `acct-${id}`, kind: "prepaid", balance: "5" });
    const a = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create(call(id, `acct-${id}`, { requestedS: 120 })), pb.Authorization, opts);
    t.equal(a.outcome, pb.AuthOutcome.GRANT);
    rids.push(a.reservationId ?? "");
  }
  const items: callctl.v1.ISettleItem[] = [
    { commit: { callId: "bc1", reservationId: rids[0], billedS: 60, amountMicro: 120_000 } },
    { release: { callId: "bc2", reservationId: rids[1], reason: "NO_ANSWER" } },
    { commit: { callId: "bc3", reservationId: rids[2], billedS: 120, amountMicro: 240_000 } },
    { commit: { callId: "nobody", billedS: 1, amountMicro: 1 } },
    { commit: { callId: "bad\r\nid", billedS: 1, amountMicro: 1 } },
    { commit: { callId: "both" }, release: { callId: "both" } },
  ];
  const r1 = await batch(items);
  t.same(
    r1.results!.map((r) => [r.callId, r.ok, Number(r.debitedMicro), r.duplicate, r.error?.code ?? ""]),
    [
      ["bc1", true, 120_000, false, ""],
      ["bc2", true, 0, false, ""],
      ["bc3", true, 240_000, false, ""],
      ["nobody", false, 0, false, "UNKNOWN_RESERVATION"],
      ["bad\r\nid", false, 0, false, "BAD_REQUEST"],
      ["both", false, 0, false, "BAD_REQUEST"],
    ],
  );
  t.same(
    r1.results!.slice(0, 3).map((r) => Number(r.balanceMicro)),
    [5_000_000 - 120_000, 5_000_000, 5_000_000 - 240_000],
    "balances after the debit / release",
  );
  const r2 = await batch(items.slice(0, 3));
  t.same(
    r2.results!.map((r) => [r.ok, Number(r.debitedMicro), r.duplicate]),
    [
      [true, 120_000, true],
      [true, 0, true],
      [true, 240_000, true],
    ],
    "a repeated batch reports the first settlement, debits nothing",
  );
  // the single-call endpoint sees the batch's settlement as done
  const one = await request(nc, subjects.commit, pb.CommitRequest, { callId: "bc1", reservationId: rids[0], billedS: 60, amountMicro: 120_000 }, pb.CommitResult, opts);
  t.same([one.ok, Number(one.debitedMicro), one.duplicate, Number(one.balanceMicro)], [true, 120_000, true, 5_000_000 - 120_000]);
  const late = await batch([{ commit: { callId: "bc2", reservationId: rids[1], billedS: 60, amountMicro: 120_000 } }]);
  t.same([late.results![0]!.ok, late.results![0]!.error?.code], [false, "ALREADY_RELEASED"], "commit after release refused as by the single endpoint");
});

t.test("an empty batch is fine; an oversized one is a BAD_REQUEST", async (t) => {
  t.same((await batch([])).results, []);
  const big = Array.from({ length: 5_001 }, (_, i) => ({ release: { callId: `x${i}` } }));
  const err = await batch(big).catch((e) => e);
  t.equal(err.code, "BAD_REQUEST");
});
