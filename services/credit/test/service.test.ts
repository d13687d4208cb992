// NATS round trip with the real nats-server: authorize, extend, commit, release, coded errors.
import { createLogger, pb, request, setupTelemetry } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import t from "tap";
import { creditSubjects, startCreditService } from "../src/service.ts";
import { call, fixture } from "./helpers.ts";

const f = await fixture();
const nc = await testNats("credit-test");
const tel = setupTelemetry("credit-test");
const subjects = creditSubjects(`test.${uniq()}.credit`);
const svc = await startCreditService({ nc, redis: f.redis, log: createLogger("credit-test", { level: "silent" }), tracer: tel.tracer, meter: tel.meter, prefix: f.prefix, subjects, clock: () => f.clock.now });
t.teardown(async () => {
  await svc.stop();
  await nc.close();
  await f.close();
});
const opts = { timeoutMs: 2000 };

t.test("a prepaid call over NATS: authorize, extend, commit twice", async (t) => {
  await svc.admin.create({ id: "n1", kind: "prepaid", balance: "2.40" });
  const a = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create(call("nc1", "n1", { requestedS: 300 })), pb.Authorization, opts);
  t.same([a.outcome, a.maxDurationS, Number(a.reservedMicro), a.final], [pb.AuthOutcome.GRANT, 300, 600_000, false]);
  const e = await request(nc, subjects.extend, pb.ExtendRequest, pb.ExtendRequest.create({ callId: "nc1", reservationId: a.reservationId, usedS: 280, requestedS: 300 }), pb.Authorization, opts);
  t.same([e.maxDurationS, Number(e.reservedMicro)], [600, 1_200_000]);
  const c = await request(nc, subjects.commit, pb.CommitRequest, pb.CommitRequest.create({ callId: "nc1", reservationId: a.reservationId, billedS: 360, amountMicro: 720_000 }), pb.CommitResult, opts);
  t.same([c.ok, Number(c.debitedMicro), Number(c.balanceMicro), c.duplicate], [true, 720_000, 1_680_000, false]);
  const c2 = await request(nc, subjects.commit, pb.CommitRequest, pb.CommitRequest.create({ callId: "nc1", billedS: 360, amountMicro: 720_000 }), pb.CommitResult, opts);
  t.same([c2.ok, Number(c2.debitedMicro), c2.duplicate], [true, 720_000, true]);
});

t.test("release and deny over NATS; bad input is a coded BAD_REQUEST", async (t) => {
  await svc.admin.create({ id: "n2", kind: "prepaid", balance: "1" });
  await svc.admin.block("n2", "fraud suspected");
  const d = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create(call("nc2", "n2")), pb.Authorization, opts);
  t.same([d.outcome, d.deny?.reason, d.deny?.q850, d.deny?.announcement, d.deny?.detail], [pb.AuthOutcome.DENY, "ACCOUNT_BLOCKED", 21, "reject/account_blocked", "fraud suspected"]);
  await svc.admin.unblock("n2", "cleared");
  const a = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create(call("nc3", "n2")), pb.Authorization, opts);
  t.equal(a.outcome, pb.AuthOutcome.GRANT);
  const r = await request(nc, subjects.release, pb.ReleaseRequest, pb.ReleaseRequest.create({ callId: "nc3", reservationId: a.reservationId, reason: "busy" }), pb.CommitResult, opts);
  t.same([r.ok, Number(r.balanceMicro)], [true, 1_000_000]);
  const bad = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create(call("bad\r\nid", "n2")), pb.Authorization, opts).catch((e) => e);
  t.equal(bad.code, "BAD_REQUEST");
  const unknown = await request(nc, subjects.commit, pb.CommitRequest, pb.CommitRequest.create({ callId: "nobody", billedS: 1, amountMicro: 1 }), pb.CommitResult, opts).catch((e) => e);
  t.equal(unknown.code, "UNKNOWN_RESERVATION");
  const audit = (await svc.admin.show("n2")).audit.map((e) => e.action);
  t.same(audit, ["unblock", "block", "create"], "audit trail, newest first (001 §12.2)");
});

t.test("ad-funded talk time arrives over NATS and ends with the session (000 §5.3)", async (t) => {
  const g = await request(nc, subjects.adGrant, pb.AdGrantRequest, pb.AdGrantRequest.create({ sessionId: "web1", adMinutes: 1.5, zone: "DE_MOBILE" }), pb.AdGrantResult, opts);
  t.same([g.adMinutes, g.talkS], [1.5, 450]);
  const a = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create({ callId: "nad1", product: "ad-funded", sessionId: "web1", destination: { zone: "DE_MOBILE" } }), pb.Authorization, opts);
  t.same([a.outcome, a.maxDurationS, a.final], [pb.AuthOutcome.GRANT, 450, true]);
  await request(nc, subjects.adGrant, pb.AdGrantRequest, pb.AdGrantRequest.create({ sessionId: "web1", endSession: true }), pb.AdGrantResult, opts);
  const d = await request(nc, subjects.authorize, pb.AuthorizeRequest, pb.AuthorizeRequest.create({ callId: "nad2", product: "ad-funded", sessionId: "web1", destination: { zone: "DE_MOBILE" } }), pb.Authorization, opts);
  t.equal(d.deny?.reason, "SESSION_EXPIRED");
  const bad = await request(nc, subjects.adGrant, pb.AdGrantRequest, pb.AdGrantRequest.create({ sessionId: "web2", adMinutes: -1 }), pb.AdGrantResult, opts).catch((e) => e);
  t.equal(bad.code, "BAD_REQUEST");
});
