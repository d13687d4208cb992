// The batched finalize path: JetStream publishes over one reply subscription (acks, dedupe, a
// subject without a stream), and settlement against a credit service without the batch endpoint
// (an older deployment): the assembler falls back to one request per call, same Cdrs and debits.
import t from "tap";
import { createLogger, pb } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import { Assembler } from "../src/index.ts";
import { JsPublisher, PublishFailedError } from "../src/jspub.ts";
import { callEvents } from "./fixtures.ts";
import { fakeCredit, privateTopology, publishEvents, readCdrs, waitFor } from "./helpers.ts";

const nc = await testNats("cdr-batch-test");
t.teardown(() => nc.close());
const log = createLogger("cdr-test", { level: "silent" });

t.test("JsPublisher: acks with stream and seq, msgID dedupe, no stream is a retryable error", async (t) => {
  const { topo, cleanup } = await privateTopology(nc, uniq("cdrj"));
  t.teardown(cleanup);
  const pub = new JsPublisher(nc, 2_000);
  t.teardown(() => pub.close());
  const subject = topo.cdrSubject("x");
  const acks = await Promise.all([pub.publish(subject, new Uint8Array([1]), "id-1"), pub.publish(subject, new Uint8Array([2]), "id-2"), pub.publish(subject, new Uint8Array([3]))]);
  t.same(
    acks.map((a) => [a.stream, a.seq, a.duplicate]),
    [
      [topo.cdrStream, 1, false],
      [topo.cdrStream, 2, false],
      [topo.cdrStream, 3, false],
    ],
  );
  const again = await pub.publish(subject, new Uint8Array([1]), "id-1");
  t.same([again.seq, again.duplicate], [1, true], "same msgID: the first message's seq, nothing stored");
  const err = await pub.publish(`${uniq("nostream")}.x`, new Uint8Array([1]), "id-3").catch((e: unknown) => e);
  t.ok(err instanceof PublishFailedError);
  t.same([(err as PublishFailedError).code, (err as PublishFailedError).retryable], ["PUBLISH_FAILED", true]);
  t.equal(pub.pending, 0);
});

t.test("credit without settle.batch: settled call by call, one Cdr per call, debits equal amounts", async (t) => {
  const { topo, cleanup } = await privateTopology(nc, uniq("cdrf"));
  t.teardown(cleanup);
  const credit = fakeCredit(nc, topo, { noBatch: true });
  t.teardown(credit.stop);
  const calls = Array.from({ length: 30 }, (_, i) => callEvents({ callId: `f-${i}`, talkS: i % 3 === 0 ? undefined : 20 + i, reservationId: `res-${i}` }));
  await publishEvents(nc, topo, calls.flat());
  const a = new Assembler({ nc, log, topology: topo, lingerMs: 100, sweepMs: 50, finalizeBatch: 7 });
  await a.start();
  t.teardown(() => a.stop());
  await waitFor(() => a.stats.cdrs === 30);
  const cdrs = await readCdrs(nc, topo.cdrStream);
  t.equal(new Set(cdrs.map((c) => c.callId)).size, 30);
  t.equal(cdrs.length, 30);
  for (const c of cdrs) {
    const answered = c.disposition === pb.Disposition.ANSWERED_CALL;
    t.equal(c.settlement, answered ? "COMMITTED" : "RELEASED", `${c.callId} settled`);
    if (answered) t.equal(credit.commits.get(c.callId), Number(c.amountMicro));
    else t.ok(credit.releases.has(c.callId));
  }
});
