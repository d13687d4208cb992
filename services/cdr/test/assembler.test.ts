// The assembler over real NATS (a private topology on the shared server): out-of-order and
// duplicated events, a call whose ENDED never comes, settlement retries, a restart mid-run and a
// late event after the Cdr. Settlement goes to a minimal in-test credit responder.
import t from "tap";
import { createLogger, pb } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import { Assembler } from "../src/index.ts";
import { callEvents } from "./fixtures.ts";
import { fakeCredit, privateTopology, publishEvents, readCdrs, waitFor } from "./helpers.ts";

const nc = await testNats("cdr-assembler-test");
t.teardown(() => nc.close());
const log = createLogger("cdr-test", { level: "silent" });

t.test("out of order, duplicated, with gaps, never ended, credit slow: one Cdr per call", async (t) => {
  const { topo, cleanup } = await privateTopology(nc, uniq("cdra"));
  t.teardown(cleanup);
  const credit = fakeCredit(nc, topo, { failFirst: 3 });
  t.teardown(credit.stop);
  const calls = Array.from({ length: 40 }, (_, i) => callEvents({ callId: `call-${i}`, talkS: i % 4 === 0 ? undefined : 30 + i, failedAttempts: i % 3 }));
  // reverse every other call, duplicate some events without msg id (as a re-publishing agent would)
  const events = calls.flatMap((c, i) => (i % 2 ? [...c].reverse() : c));
  const dups = calls.slice(0, 10).map((c) => c[1]!);
  const neverEnded = callEvents({ callId: "lost-end", talkS: 10, maxDurationS: 1 }).filter((x) => x.subjectKind !== "ended");
  await publishEvents(nc, topo, [...events, ...neverEnded]);
  await publishEvents(nc, topo, dups, { noMsgId: true });
  const a = new Assembler({ nc, log, topology: topo, lingerMs: 200, openGraceMs: 300, sweepMs: 100, settleTimeoutMs: 200 });
  await a.start();
  t.teardown(() => a.stop());
  await waitFor(() => a.stats.cdrs === 41);
  const cdrs = await readCdrs(nc, topo.cdrStream);
  t.equal(cdrs.length, 41, "one Cdr per call");
  t.equal(new Set(cdrs.map((c) => c.callId)).size, 41);
  t.equal(a.stats.duplicates + a.stats.late, 10, "duplicates merged away or acked as late");
  const lost = cdrs.find((c) => c.callId === "lost-end")!;
  t.equal(lost.closedByTimeout, true, "never-ended call closed by the timeout rule and flagged");
  t.equal(Number(lost.amountMicro), 0);
  t.equal(lost.settlement, "RELEASED");
  for (const c of cdrs) {
    if (c.callId === "lost-end") continue;
    const answered = c.disposition === pb.Disposition.ANSWERED_CALL;
    t.equal(c.settlement, answered ? "COMMITTED" : "RELEASED", `${c.callId} settled`);
    if (answered) t.equal(credit.commits.get(c.callId), Number(c.amountMicro), `${c.callId}: debit = amount`);
  }
  t.ok(a.stats.settleRetries >= 1, "credit's missed deadlines were retried");
  t.same(cdrs.find((c) => c.callId === "call-5")?.attempts.map((x) => x.n), [1, 2, 3]);
});

t.test("restart mid-run and late events: still exactly once", async (t) => {
  const { topo, cleanup } = await privateTopology(nc, uniq("cdrb"));
  t.teardown(cleanup);
  const credit = fakeCredit(nc, topo);
  t.teardown(credit.stop);
  const calls = Array.from({ length: 200 }, (_, i) => callEvents({ callId: `r-${i}`, talkS: 5 + (i % 90) }));
  // half of the calls lack their ENDED in the first batch: they are open when the first assembler stops
  await publishEvents(nc, topo, calls.flatMap((c, i) => (i % 2 ? c.slice(0, -1) : c)));
  const a1 = new Assembler({ nc, log, topology: topo, lingerMs: 100, sweepMs: 50, ackWaitMs: 1500 });
  await a1.start();
  await waitFor(() => a1.stats.cdrs === 100);
  await a1.stop();
  await publishEvents(nc, topo, calls.filter((_, i) => i % 2).map((c) => c[c.length - 1]!));
  // a late duplicate of an already billed call, past the stream's dedupe (no msg id)
  await publishEvents(nc, topo, [calls[0]![1]!], { noMsgId: true });
  const a2 = new Assembler({ nc, log, topology: topo, lingerMs: 100, sweepMs: 50, ackWaitMs: 1500 });
  await a2.start();
  t.teardown(() => a2.stop());
  await waitFor(() => a2.stats.cdrs >= 100 && a2.stats.open === 0);
  t.equal(a2.stats.late, 1, "the late event of a billed call is acked, nothing else");
  const cdrs = await readCdrs(nc, topo.cdrStream);
  t.equal(cdrs.length, 200, "every call once in the stream");
  t.equal(new Set(cdrs.map((c) => c.callId)).size, 200);
  t.equal(credit.commits.size, 200);
  t.equal([...credit.commits.values()].reduce((x, y) => x + y, 0), cdrs.reduce((x, c) => x + Number(c.amountMicro), 0), "debits equal amounts");
});
