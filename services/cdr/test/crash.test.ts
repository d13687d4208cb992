// Crash test with real processes (services/cdr/test/crash/run.ts): 2,000 calls authorized by the
// real credit service; kill -9 of the assembler and the sink at random moments and one kill -9 and
// restart of a private nats-server → every call exactly once in the CDR stream and in PostgreSQL,
// every debit equal to its Cdr's amount. `npm run soak:cdr` runs the same with 50,000 calls.
import t from "tap";
import { crashRun } from "./crash/run.ts";

t.test("kill -9 of assembler, sink and nats-server during 2,000 calls", async (t) => {
  // The run's own log (kills, restarts, progress) goes into the TAP output: a CI failure shows it.
  const lines: string[] = [];
  const t0 = Date.now();
  const r = await crashRun({ calls: Number(process.env.CDR_CRASH_CALLS ?? 2000), rate: 500, chaos: true, natsRestart: true, log: (s) => lines.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${s}`) }).finally(() => {
    for (const l of lines) t.comment(l);
  });
  t.comment(JSON.stringify(r));
  t.ok(r.kills.assembler + r.kills.sink >= 2, "processes were killed during the run");
  t.equal(r.kills.nats, 1, "nats-server killed and restarted once");
  t.equal(r.streamCdrs, r.calls, "CDR stream: one message per call");
  t.equal(r.streamDistinct, r.calls, "CDR stream: every call");
  t.equal(r.missingInStream, 0);
  t.equal(r.pgRows, r.calls, "PostgreSQL: one row per call");
  t.equal(r.pgDistinct, r.calls);
  t.equal(r.debitChecked + r.noReservation, r.calls);
  t.equal(r.debitMismatch, 0, "debits equal amounts; answered calls committed, the others released");
});
