// The billing sink: a durable consumer of the CDR stream writing batches into PostgreSQL.
// A batch is acked only after its transaction committed (pgwrite.ts: COPY into a staging table,
// then INSERT ... SELECT); the insert ignores call ids already present (a Cdr is immutable once
// written) and call ids erased on request, so a redelivery after a crash or a duplicate in the
// stream changes nothing.
import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type pg from "pg";
import { js, pb, type callctl, type Logger, type NatsConnection } from "@callctl/core";
import { DEFAULT_TOPOLOGY, type Topology } from "../topology.ts";
import { checkSchemaName } from "./migrate.ts";
import { type InsertMethod, type Prepared, RowWriter } from "./pgwrite.ts";
import { streamSeqOf } from "./seq.ts";
import { cdrRow } from "./rows.ts";

export interface SinkOptions {
  nc: NatsConnection;
  pool: pg.Pool;
  log: Logger;
  schema?: string;
  topology?: Topology;
  batchSize?: number;
  flushMs?: number;
  /** Batches written at the same time (each on its own pool connection). */
  concurrency?: number;
  ackWaitMs?: number;
  /** "copy" (default) or "json" (the previous single-statement insert; for the benchmark's A/B). */
  insertMethod?: InsertMethod;
}

export interface SinkStats {
  received: number;
  inserted: number;
  ignored: number;
  batches: number;
  retries: number;
  undecodable: number;
}

export class Sink {
  readonly stats: SinkStats = { received: 0, inserted: 0, ignored: 0, batches: 0, retries: 0, undecodable: 0 };
  readonly #o: Required<SinkOptions>;
  readonly #writer: RowWriter;
  readonly #prefsSql: string;
  #buf: JsMsg[] = [];
  #inflight = 0;
  #waiters: (() => void)[] = [];
  #iter?: ConsumerMessages;
  #loop?: Promise<void>;
  #timer?: NodeJS.Timeout;
  #stopping = false;

  constructor(opts: SinkOptions) {
    this.#o = { schema: "cdr", topology: DEFAULT_TOPOLOGY, batchSize: 1000, flushMs: 20, concurrency: 4, ackWaitMs: 30_000, insertMethod: "copy", ...opts };
    const s = checkSchemaName(this.#o.schema);
    this.#writer = new RowWriter(this.#o.pool, s, this.#o.insertMethod);
    this.#prefsSql = `SELECT account_id FROM ${s}.privacy WHERE shorten AND account_id = ANY($1::text[])`;
  }

  async start(): Promise<void> {
    const { nc, topology: t } = this.#o;
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.consumers.info(t.cdrStream, t.sinkDurable);
    } catch {
      await jsm.consumers.add(t.cdrStream, { durable_name: t.sinkDurable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: t.cdrFilter, ack_wait: this.#o.ackWaitMs * 1e6, max_ack_pending: this.#o.batchSize * this.#o.concurrency * 4, max_deliver: -1 });
    }
    const consumer = await js(nc).consumers.get(t.cdrStream, t.sinkDurable);
    this.#iter = await consumer.consume({ max_messages: this.#o.batchSize * 2 });
    this.#loop = this.#run(this.#iter);
    this.#timer = setInterval(() => {
      if (this.#buf.length && this.#inflight < this.#o.concurrency) void this.#flush();
    }, this.#o.flushMs);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    await this.#iter?.close().catch(() => {});
    await this.#loop?.catch(() => {});
    while (this.#inflight > 0) await new Promise<void>((r) => this.#waiters.push(r));
  }

  async #run(iter: ConsumerMessages): Promise<void> {
    for await (const m of iter) {
      if (this.#stopping) break;
      this.stats.received++;
      this.#buf.push(m);
      if (this.#buf.length >= this.#o.batchSize) await this.#flush();
    }
  }

  async #flush(): Promise<void> {
    while (this.#inflight >= this.#o.concurrency) await new Promise<void>((r) => this.#waiters.push(r));
    const batch = this.#buf;
    if (!batch.length) return;
    this.#buf = [];
    this.#inflight++;
    void this.#write(batch).finally(() => {
      this.#inflight--;
      // wake every waiter: each re-checks the limit (waking one could wake a flush that finds the
      // buffer already taken, and the wake-up of the loop would be lost)
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  async #write(batch: JsMsg[]): Promise<void> {
    const b = { msgs: batch };
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        const payload = await this.#prepare(b);
        const inserted = await this.#writer.writePrepared(payload);
        this.stats.inserted += inserted;
        this.stats.ignored += b.msgs.length - inserted;
        this.stats.batches++;
        for (const m of b.msgs) m.ack();
        return;
      } catch (err) {
        if (this.#stopping) return; // unacked: redelivered to the next sink
        this.stats.retries++;
        this.#o.log.warn({ err: (err as Error).message }, "sink write failed, retrying");
        for (const m of b.msgs) m.working();
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * Decodes the batch (an undecodable message is terminated and left out of `b.msgs` at once, so a
   * retry does not see it again), reads the accounts' shortening choice and encodes the rows. Its
   * own frame: the decoded Cdrs and rows are garbage once it returns, not kept across the write.
   */
  async #prepare(b: { msgs: JsMsg[] }): Promise<Prepared> {
    const msgs: JsMsg[] = [];
    const cdrs: callctl.v1.Cdr[] = [];
    for (const m of b.msgs) {
      try {
        cdrs.push(pb.Cdr.decode(m.data));
        msgs.push(m);
      } catch {
        this.#undecodable(m);
      }
    }
    b.msgs = msgs;
    const short = new Set(await this.#shortened([...new Set(cdrs.map((c) => c.accountId))]));
    const rows = new Array<Record<string, unknown>>(cdrs.length);
    for (let i = 0; i < cdrs.length; i++) rows[i] = cdrRow(cdrs[i]!, streamSeqOf(msgs[i]!), short.has(cdrs[i]!.accountId));
    return this.#writer.prepare(rows);
  }

  /** Those of `accounts` that chose shortened storage (privacy.ts shorten). */
  async #shortened(accounts: string[]): Promise<string[]> {
    return (await this.#o.pool.query<{ account_id: string }>(this.#prefsSql, [accounts])).rows.map((r) => r.account_id);
  }

  #undecodable(m: JsMsg): void {
    this.stats.undecodable++;
    this.#o.log.error({ seq: m.seq }, "undecodable Cdr: terminated");
    m.term();
  }
}
