// The CDR service. CDR_ROLE selects what this process runs: the assembler (CALLS → rated, settled
// Cdr on the CDR stream), the PostgreSQL sink (CDR stream → billing tables), or both.
// Each role is a durable consumer. Any number of sinks share the work. Run ONE assembler: a second
// one on the same durable gets part of each call's events, and a call split that way is billed
// from partial state (bench/workers.ts measured 384 such Cdrs in 10,000 calls); nats-server 2.9
// cannot partition a consumer by call id.
import pg from "pg";
import { env, runService } from "@callctl/core";
import { Assembler } from "./assembler.ts";
import { migrate } from "./sink/migrate.ts";
import { Sink } from "./sink/sink.ts";

await runService({
  name: "cdr",
  env: {
    CDR_ROLE: env.enumOf(["assembler", "sink", "both"], "both"),
    CDR_SCHEMA: env.str("cdr"),
    CDR_ACK_WAIT_MS: env.int(30_000, 1_000),
    CDR_MAX_ACK_PENDING: env.int(200_000, 100),
    CDR_MAX_INFLIGHT: env.int(4_000, 1),
    CDR_LINGER_MS: env.int(3_000, 0),
    CDR_OPEN_GRACE_MS: env.int(600_000, 0),
    CDR_DEFAULT_MAX_CALL_S: env.int(14_400, 1),
    CDR_SETTLE_TIMEOUT_MS: env.int(2_000, 10),
    CDR_UNANNOUNCED: env.enumOf(["free", "from_answer"], "free"),
    CDR_SINK_BATCH: env.int(1_000, 1),
    CDR_SINK_CONCURRENCY: env.int(4, 1, 64),
  },
  start: async ({ cfg, log, nc }) => {
    const stops: (() => Promise<void>)[] = [];
    const stats: Record<string, unknown> = {};
    if (cfg.CDR_ROLE !== "sink") {
      const a = new Assembler({
        nc,
        log,
        node: cfg.NODE_ID,
        ackWaitMs: cfg.CDR_ACK_WAIT_MS,
        maxAckPending: cfg.CDR_MAX_ACK_PENDING,
        maxInflight: cfg.CDR_MAX_INFLIGHT,
        lingerMs: cfg.CDR_LINGER_MS,
        openGraceMs: cfg.CDR_OPEN_GRACE_MS,
        defaultMaxCallS: cfg.CDR_DEFAULT_MAX_CALL_S,
        settleTimeoutMs: cfg.CDR_SETTLE_TIMEOUT_MS,
        unannounced: cfg.CDR_UNANNOUNCED as "free" | "from_answer",
      });
      await a.start();
      stats.assembler = a.stats;
      stops.push(() => a.stop());
    }
    if (cfg.CDR_ROLE !== "assembler") {
      const pool = new pg.Pool({ connectionString: cfg.PG_URL, max: cfg.CDR_SINK_CONCURRENCY + 1 });
      await migrate(pool, cfg.CDR_SCHEMA);
      const s = new Sink({ nc, pool, log, schema: cfg.CDR_SCHEMA, batchSize: cfg.CDR_SINK_BATCH, concurrency: cfg.CDR_SINK_CONCURRENCY, ackWaitMs: cfg.CDR_ACK_WAIT_MS });
      await s.start();
      stats.sink = s.stats;
      stops.push(async () => {
        await s.stop();
        await pool.end();
      });
    }
    log.info({ role: cfg.CDR_ROLE }, "cdr roles started");
    return {
      stop: async () => {
        for (const stop of stops) await stop();
      },
      routes: {
        "/stats": (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(stats));
        },
      },
    };
  },
});
