// The crash run: a switch-agent stand-in authorizes real calls with the real credit service and
// publishes their events, while the CDR assembler and sink are killed with -9 at random moments
// and the (private) nats-server is killed and restarted once. Then: every call exactly once in the
// CDR stream and in PostgreSQL, and every debit equal to its Cdr's amount.
import pg from "pg";
import { Redis } from "ioredis";
import { DeliverPolicy } from "@nats-io/jetstream";
import { CallctlError, connectNats, js, pb, provision, request, SUBJECTS, type NatsConnection, type callctl } from "@callctl/core";
import { TEST_PG_URL, TEST_REDIS_URL, uniq } from "@callctl/core/testing";
import { callEvents } from "../fixtures.ts";
import { PrivateNats, Proc } from "./harness.ts";

export interface CrashResult {
  calls: number;
  answered: number;
  rejected: number;
  streamCdrs: number;
  streamDistinct: number;
  missingInStream: number;
  pgRows: number;
  pgDistinct: number;
  debitChecked: number;
  /** Grants without a reservation (credit's fail-safe policy): billed by the Cdr, no debit to check. */
  noReservation: number;
  debitMismatch: number;
  kills: { assembler: number; sink: number; nats: number };
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rnd = (a: number, b: number) => a + Math.floor(Math.random() * (b - a));

async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CallctlError && !err.retryable) throw err;
      await sleep(100);
    }
  }
}

export async function crashRun(opts: { calls: number; rate?: number; chaos?: boolean; natsRestart?: boolean; log?: (s: string) => void }): Promise<CrashResult> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const nats = new PrivateNats();
  await nats.start();
  const run = uniq("crash").toLowerCase();
  const schema = run;
  const prefix = `${run}:`;
  const pool = new pg.Pool({ connectionString: TEST_PG_URL, max: 4 });
  const nc: NatsConnection = await connectNats(nats.url, "crash-driver");
  await provision(nc);
  const common = { NATS_URL: nats.url, LOG_LEVEL: "warn", PG_URL: TEST_PG_URL };
  const credit = new Proc("credit", "services/credit/src/main.ts", { ...common, CREDIT_PREFIX: prefix, REDIS_URL: TEST_REDIS_URL });
  const cdrEnv = { ...common, CDR_ACK_WAIT_MS: "2000", CDR_LINGER_MS: "300", CDR_SETTLE_TIMEOUT_MS: "1000", CDR_SCHEMA: schema };
  const assembler = new Proc("assembler", "services/cdr/src/main.ts", { ...cdrEnv, CDR_ROLE: "assembler", NODE_ID: "asm1" });
  const sink = new Proc("sink", "services/cdr/src/main.ts", { ...cdrEnv, CDR_ROLE: "sink", NODE_ID: "sink1" });
  let natsKills = 0;
  try {
    credit.start();
    assembler.start();
    sink.start();
    const answered = new Map<string, boolean>();
    let rejected = 0;
    let done = 0;
    let chaosOn = !!opts.chaos;
    // At least MIN_KILLS kills of the assembler or the sink happen whatever the run's speed: a fast
    // run (CI's publish takes ~4 s) must not end its chaos after a single kill.
    const MIN_KILLS = opts.chaos ? 2 : 0;
    const victimKills = () => assembler.kills + sink.kills;
    const chaos = (async () => {
      let natsDone = !opts.natsRestart;
      while (chaosOn || victimKills() < MIN_KILLS) {
        // a restarted process needs about a second to start (tsx): kill again only after it ran a while
        await sleep(rnd(1000, 3000));
        if (!chaosOn && victimKills() >= MIN_KILLS) break;
        if (!natsDone && done > opts.calls * 0.4) {
          natsDone = true;
          log(`chaos: kill -9 nats-server at ${done} calls`);
          await nats.kill("SIGKILL");
          natsKills++;
          await sleep(rnd(300, 1200));
          await nats.start();
          log("chaos: nats-server restarted");
          continue;
        }
        const victim = Math.random() < 0.5 ? assembler : sink;
        log(`chaos: kill -9 ${victim.name} at ${done} calls`);
        await victim.kill("SIGKILL");
        await sleep(rnd(50, 500));
        victim.start();
      }
    })();
    const j = js(nc);
    const rate = opts.rate ?? 400;
    const worker = async (w: number, workers: number) => {
      for (let i = w; i < opts.calls; i += workers) {
        const callId = `${run}-${i}`;
        const caller = String(4930_00000000 + i);
        const talk = i % 5 === 0 ? undefined : 5 + ((i * 7) % 300);
        // A refusal by credit (e.g. its Redis deadline passed) makes the call a rejected one, as the
        // switch agent's fail-safe would; transport failures are retried.
        const auth = await retry(() => request(nc, SUBJECTS.creditAuthorize, pb.AuthorizeRequest, { callId, accountId: `cli:${caller}`, product: "cbc", brand: "01097", caller, destination: { e164: "436641234567", country: "AT", numberType: pb.NumberType.MOBILE, zone: "AT_MOBILE" }, pricePerMinMicro: 39_000, firstIncrementS: 60, nextIncrementS: 60 }, pb.Authorization, { timeoutMs: 2000 })).catch((err: CallctlError) =>
          pb.Authorization.create({ callId, outcome: pb.AuthOutcome.DENY, deny: { reason: err.code } }),
        );
        let evs = callEvents({ callId, account: `cli:${caller}`, t0: Date.now(), talkS: talk, reservationId: auth.reservationId ?? "", failedAttempts: i % 7 === 0 ? 1 : 0 });
        if (auth.outcome !== pb.AuthOutcome.GRANT) {
          rejected++;
          evs = evs.slice(0, 1);
          evs[0]!.ev.reject = auth.deny ?? { reason: "DENIED" };
          evs[0]!.ev.reservationId = "";
        }
        answered.set(callId, auth.outcome === pb.AuthOutcome.GRANT && talk !== undefined);
        for (const e of evs) await retry(() => j.publish(`callctl.calls.${e.subjectKind}`, pb.CallEvent.encode(e.ev).finish(), { msgID: e.msgId, timeout: 2000 }));
        done++;
        const behind = (done * 1000) / rate - (Date.now() - t0);
        if (behind > 0) await sleep(behind);
      }
    };
    await Promise.all(Array.from({ length: 64 }, (_, w) => worker(w, 64)));
    log(`published ${opts.calls} calls in ${Date.now() - t0} ms; waiting for PostgreSQL`);
    setTimeout(() => (chaosOn = false), 4000).unref(); // a few more kills while the tail drains
    // Bounded: a run that stops making progress fails with what it saw instead of hitting the test timeout.
    const deadline = Date.now() + 80_000;
    for (let last = -1; ; ) {
      const n = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.cdrs`).then((r) => r.rows[0].n as number, () => -1);
      if (n >= opts.calls) break;
      if (Date.now() > deadline) {
        const tail = (p: Proc) => `${p.name}: alive=${p.alive} starts=${p.starts} kills=${p.kills} log=${p.log.slice(-600)}`;
        throw new Error(`sink rows stuck at ${n} of ${opts.calls}; ${tail(assembler)}; ${tail(sink)}; ${tail(credit)}`);
      }
      if (n !== last) log(`sink rows: ${n}`);
      last = n;
      await sleep(500);
    }
    chaosOn = false;
    await chaos;
    for (const p of [assembler, sink]) if (!p.alive) p.start();
    await sleep(3000); // anything still to come (a duplicate would show up here)
    const stream = new Map<string, callctl.v1.Cdr>();
    let streamCdrs = 0;
    const c = await js(nc).consumers.get("CDR", { deliver_policy: DeliverPolicy.All });
    const total = (await c.info(true)).num_pending;
    if (total > 0) {
      const it = await c.consume();
      for await (const m of it) {
        const cdr = pb.Cdr.decode(m.data);
        streamCdrs++;
        stream.set(cdr.callId, cdr);
        if (m.info.pending === 0) break;
      }
      await it.close();
    }
    const pgr = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT call_id)::int AS d FROM ${schema}.cdrs`);
    // Debits: a repeated commit/release is idempotent and reports the first debit (duplicate=true).
    let debitChecked = 0;
    let debitMismatch = 0;
    for (const cdr of stream.values()) {
      if (!cdr.reservationId) continue;
      const r = await retry(() =>
        cdr.settlement === "COMMITTED"
          ? request(nc, SUBJECTS.creditCommit, pb.CommitRequest, { callId: cdr.callId, reservationId: cdr.reservationId, billedS: cdr.billedS, amountMicro: cdr.amountMicro }, pb.CommitResult, { timeoutMs: 5000 })
          : request(nc, SUBJECTS.creditRelease, pb.ReleaseRequest, { callId: cdr.callId, reservationId: cdr.reservationId }, pb.CommitResult, { timeoutMs: 5000 }),
      );
      debitChecked++;
      const want = cdr.settlement === "COMMITTED" ? Number(cdr.amountMicro) : 0;
      if (!r.duplicate || Number(r.debitedMicro) !== want || (cdr.settlement === "COMMITTED") !== answered.get(cdr.callId)) debitMismatch++;
    }
    return {
      calls: opts.calls,
      answered: [...answered.values()].filter(Boolean).length,
      rejected,
      streamCdrs,
      streamDistinct: stream.size,
      missingInStream: [...answered.keys()].filter((id) => !stream.has(id)).length,
      pgRows: pgr.rows[0].n,
      pgDistinct: pgr.rows[0].d,
      debitChecked,
      noReservation: [...stream.values()].filter((x) => !x.reservationId).length,
      debitMismatch,
      kills: { assembler: assembler.kills, sink: sink.kills, nats: natsKills },
      seconds: Math.round((Date.now() - t0) / 100) / 10,
    };
  } finally {
    await Promise.all([assembler.kill("SIGTERM"), sink.kill("SIGTERM"), credit.kill("SIGTERM")]);
    await nc.close().catch(() => {});
    await nats.destroy();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await pool.end();
    const redis = new Redis(TEST_REDIS_URL);
    for (let cursor = "0"; ; ) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      if ((cursor = next) === "0") break;
    }
    redis.disconnect();
  }
}
