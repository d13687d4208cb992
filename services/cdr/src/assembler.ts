// The CDR assembler: a durable JetStream consumer on CALLS (explicit ack, bounded concurrency)
// turning each call's events into one rated, settled Cdr on `callctl.cdr.<brand>`. Calls that are
// ready are finalized in batches (finalize.ts): one credit request settles the batch, the Cdrs and
// then the index entries are published with their acks awaited together.
//
// Durability (kill -9 loses nothing): the events of a call are acked only after its Cdr is
// settled, published (JetStream ack received) and recorded in the index bucket. Until then they
// stay pending on the consumer (kept alive with `working()` for long calls), so a crash at any
// moment means redelivery and a rebuild of the same state. Duplicates are stopped three times over:
// credit is idempotent by call id, the CDR stream dedupes on msgID = call id (10 min window), and
// any call whose events were redelivered or that is incomplete is first looked up in the index
// bucket (call id → CDR published), which outlives the dedupe window.
import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { CallctlError, js, pb, type Latency, type Logger, type NatsConnection, type callctl } from "@callctl/core";
import { addEvent, buildCdr, isComplete, isEnded, mainStarted, newCallState, answeredAt, startedAt, type CallState } from "./assemble.ts";
import { openIndex, indexGet } from "./cdrindex.ts";
import { indexAll, publishAll, settleAll, type FinalizeDeps, type RetryCounter } from "./finalize.ts";
import { JsPublisher } from "./jspub.ts";
import type { Settlement } from "./settlement.ts";
import { DEFAULT_TOPOLOGY, type Topology } from "./topology.ts";

export interface AssemblerOptions {
  nc: NatsConnection;
  log: Logger;
  topology?: Topology;
  node?: string;
  /** Consumer ack wait; held events are kept alive with working() every third of it. */
  ackWaitMs?: number;
  /** Consumer max_ack_pending: must exceed concurrent calls × ~4 events. */
  maxAckPending?: number;
  /** Calls ready or being settled and published at the same time (the pull waits above it). */
  maxInflight?: number;
  /** Calls finalized together (one credit request, publishes awaited together). */
  finalizeBatch?: number;
  /** Batches being finalized at the same time. */
  finalizeConcurrency?: number;
  /** Messages per pull. */
  batch?: number;
  /** After ENDED, how long an incomplete call waits for straggling events. */
  lingerMs?: number;
  /** A call without ENDED is closed this long after start/answer + its max duration. */
  openGraceMs?: number;
  /** Max duration assumed when STARTED has none (4 h). */
  defaultMaxCallS?: number;
  sweepMs?: number;
  settleTimeoutMs?: number;
  unannounced?: "free" | "from_answer";
  /** Calls remembered as done in memory (late events are acked at once). */
  doneCapacity?: number;
  onCdr?: (cdr: callctl.v1.Cdr.$Properties) => void;
  /** Records each call's finalize time (ready → settled, published, indexed), for the benchmark. */
  latency?: Latency;
}

interface Open {
  state: CallState;
  msgs: Map<number, JsMsg>;
  firstSeen: number;
  lastWorking: number;
  endedSeenAt: number;
  redelivered: boolean;
  finalizing: boolean;
  probed: boolean;
  timedOut: boolean;
  readyAt: bigint;
}

export interface AssemblerStats {
  events: number;
  cdrs: number;
  duplicates: number;
  late: number;
  timeouts: number;
  skippedDone: number;
  settleRetries: number;
  publishRetries: number;
  undecodable: number;
  open: number;
  inflight: number;
  bySettlement: Record<Settlement, number>;
}

export class Assembler {
  readonly stats: AssemblerStats = { events: 0, cdrs: 0, duplicates: 0, late: 0, timeouts: 0, skippedDone: 0, settleRetries: 0, publishRetries: 0, undecodable: 0, open: 0, inflight: 0, bySettlement: { COMMITTED: 0, RELEASED: 0, FAILED: 0, NONE: 0 } };
  readonly #o: Required<Omit<AssemblerOptions, "onCdr" | "latency">> & Pick<AssemblerOptions, "onCdr" | "latency">;
  readonly #open = new Map<string, Open>();
  readonly #done = new Map<string, true>();
  #iter?: ConsumerMessages;
  #loop?: Promise<void>;
  #sweep?: NodeJS.Timeout;
  #kv?: KV;
  #pub?: JsPublisher;
  #deps?: FinalizeDeps;
  #queue: Open[] = [];
  #batches = 0;
  #pumpScheduled = false;
  #stopping = false;
  #caughtUp = false;
  #waiters: (() => void)[] = [];
  #idle: (() => void)[] = [];

  constructor(opts: AssemblerOptions) {
    this.#o = {
      topology: DEFAULT_TOPOLOGY,
      node: "",
      ackWaitMs: 30_000,
      maxAckPending: 200_000,
      maxInflight: 4_000,
      finalizeBatch: 500,
      finalizeConcurrency: 4,
      batch: 2_000,
      lingerMs: 3_000,
      openGraceMs: 10 * 60_000,
      defaultMaxCallS: 4 * 3600,
      sweepMs: 1_000,
      settleTimeoutMs: 2_000,
      unannounced: "free",
      doneCapacity: 500_000,
      ...opts,
    };
  }

  async start(): Promise<void> {
    const { nc, topology: t } = this.#o;
    const jsm = await jetstreamManager(nc);
    const cfg = { durable_name: t.assemblerDurable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: t.callsFilter, ack_wait: this.#o.ackWaitMs * 1e6, max_ack_pending: this.#o.maxAckPending, max_deliver: -1 };
    try {
      await jsm.consumers.info(t.callsStream, t.assemblerDurable);
      await jsm.consumers.update(t.callsStream, t.assemblerDurable, { ack_wait: cfg.ack_wait, max_ack_pending: cfg.max_ack_pending });
    } catch {
      await jsm.consumers.add(t.callsStream, cfg);
    }
    this.#kv = await openIndex(nc, t.indexBucket);
    this.#pub = new JsPublisher(nc, 5_000);
    this.#deps = {
      nc,
      topology: t,
      settle: { commitSubject: t.creditCommit, releaseSubject: t.creditRelease, batchSubject: t.creditSettleBatch, timeoutMs: this.#o.settleTimeoutMs },
      pub: this.#pub,
      kv: this.#kv,
      backoff: (attempt, counter, err) => this.#backoff(attempt, counter, err),
    };
    const consumer = await js(nc).consumers.get(t.callsStream, t.assemblerDurable);
    this.#iter = await consumer.consume({ max_messages: this.#o.batch });
    this.#loop = this.#run(this.#iter);
    this.#sweep = setInterval(() => this.#sweepOnce(), this.#o.sweepMs);
  }

  /** Stops pulling, lets in-flight Cdrs finish (up to `graceMs`), leaves the rest unacked. */
  async stop(graceMs = 5_000): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweep);
    await this.#iter?.close().catch(() => {});
    await this.#loop?.catch(() => {});
    // calls not yet in a batch stay unacked: the next process gets their events again
    const unstarted = this.#queue.splice(0);
    for (const o of unstarted) o.finalizing = false;
    this.#inflightChanged(unstarted.length);
    if (this.stats.inflight > 0) await Promise.race([new Promise<void>((r) => this.#idle.push(r)), sleep(graceMs)]);
    for (const w of this.#waiters.splice(0)) w();
    this.#pub?.close();
  }

  async #run(iter: ConsumerMessages): Promise<void> {
    for await (const m of iter) {
      if (this.#stopping) break;
      this.#caughtUp = m.info.pending === 0;
      this.#onMessage(m);
      while (this.stats.inflight >= this.#o.maxInflight && !this.#stopping) await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  #onMessage(m: JsMsg): void {
    let ev: callctl.v1.CallEvent;
    try {
      ev = pb.CallEvent.decode(m.data);
    } catch {
      this.stats.undecodable++;
      this.#o.log.error({ seq: m.seq, subject: m.subject }, "undecodable call event: terminated");
      m.term();
      return;
    }
    if (!ev.callId) {
      this.stats.undecodable++;
      m.term();
      return;
    }
    this.stats.events++;
    if (this.#done.has(ev.callId)) {
      this.stats.late++;
      m.ack();
      return;
    }
    const now = Date.now();
    let o = this.#open.get(ev.callId);
    if (!o) {
      o = { state: newCallState(ev.callId), msgs: new Map(), firstSeen: now, lastWorking: now, endedSeenAt: 0, redelivered: false, finalizing: false, probed: false, timedOut: false, readyAt: 0n };
      this.#open.set(ev.callId, o);
      this.stats.open = this.#open.size;
    }
    o.msgs.set(m.seq, m);
    if (m.redelivered) o.redelivered = true;
    if (o.finalizing) {
      this.stats.late++; // acked with the others when the Cdr is out
      return;
    }
    if (!addEvent(o.state, ev)) this.stats.duplicates++;
    if (!o.endedSeenAt && isEnded(o.state)) o.endedSeenAt = now;
    if (o.endedSeenAt && isComplete(o.state)) this.#ready(o, false);
  }

  #sweepOnce(): void {
    const now = Date.now();
    const keepAlive = this.#o.ackWaitMs / 3;
    for (const o of this.#open.values()) {
      if (o.finalizing) continue;
      if (!o.probed && this.#caughtUp && !mainStarted(o.state) && now - o.firstSeen >= this.#o.lingerMs) void this.#probe(o);
      else if (o.endedSeenAt && now - o.endedSeenAt >= this.#linger(o)) this.#ready(o, false);
      else if (!o.endedSeenAt && this.#caughtUp && this.#overdue(o, now)) this.#ready(o, true);
      else if (now - o.lastWorking >= keepAlive) {
        for (const m of o.msgs.values()) m.working();
        o.lastWorking = now;
      }
    }
  }

  /**
   * How long an ended but incomplete call waits for missing events. Without its STARTED, or when
   * some of its events are redeliveries, the wait covers a whole redelivery cycle (2 × ack wait):
   * after a restart the new process may read a fresh ENDED before the older, unacked events of the
   * same call have all come back.
   */
  #linger(o: Open): number {
    return mainStarted(o.state) && !o.redelivered ? this.#o.lingerMs : this.#o.lingerMs + 2 * this.#o.ackWaitMs;
  }

  /** The timeout rule: no ENDED by (answer or start) + max duration + grace → closed_by_timeout. */
  #overdue(o: Open, now: number): boolean {
    if (now - o.firstSeen < Math.min(this.#o.openGraceMs, 60_000)) return false;
    const base = answeredAt(o.state) || startedAt(o.state) || o.firstSeen;
    const maxS = Number(mainStarted(o.state)?.maxDurationS ?? 0) || this.#o.defaultMaxCallS;
    return now > base + maxS * 1000 + this.#o.openGraceMs;
  }

  /** Events without their STARTED: a call billed long ago (a late event after a restart)? */
  async #probe(o: Open): Promise<void> {
    o.probed = true;
    try {
      if (await indexGet(this.#kv!, o.state.callId)) {
        this.stats.late += o.msgs.size;
        this.#ackAll(o);
      }
    } catch {
      o.probed = false; // try again on the next sweep
    }
  }

  /** Queues a call for the next finalize batch. */
  #ready(o: Open, timedOut: boolean): void {
    o.finalizing = true;
    o.timedOut = timedOut;
    o.readyAt = process.hrtime.bigint();
    this.#queue.push(o);
    this.stats.inflight++;
    this.#schedulePump();
  }

  /** Batches start on the next turn of the event loop: the events of one pull are all merged first. */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      while (this.#queue.length && this.#batches < this.#o.finalizeConcurrency && !this.#stopping) {
        void this.#finalizeBatch(this.#queue.splice(0, this.#o.finalizeBatch));
      }
    });
  }

  async #finalizeBatch(list: Open[]): Promise<void> {
    this.#batches++;
    const d = this.#deps!;
    let todo = list;
    try {
      // a timed-out, incomplete or redelivered call may have been billed already: ask the index
      const check = list.filter((o) => o.timedOut || o.redelivered || !isComplete(o.state));
      if (check.length) {
        const seen = await Promise.all(check.map((o) => this.#retry(() => indexGet(this.#kv!, o.state.callId), "publishRetries")));
        const done = new Set(check.filter((_, i) => seen[i]));
        for (const o of done) {
          this.stats.skippedDone++;
          this.#ackAll(o);
        }
        todo = list.filter((o) => !done.has(o));
      }
      const cdrs = todo.map((o) => buildCdr(o.state, { closedByTimeout: o.timedOut, unannounced: this.#o.unannounced, node: this.#o.node }));
      const settled = await settleAll(cdrs, d);
      cdrs.forEach((cdr, i) => {
        const s = settled[i]!;
        if (s.error) this.#o.log.warn({ call_id: cdr.callId, code: s.error }, "settlement refused by credit");
        cdr.settlement = s.settlement;
      });
      const acks = await publishAll(cdrs, d);
      await indexAll(cdrs, acks, d);
      cdrs.forEach((cdr, i) => {
        const o = todo[i]!;
        this.stats.cdrs++;
        this.stats.bySettlement[settled[i]!.settlement]++;
        if (o.timedOut) this.stats.timeouts++;
        this.#o.onCdr?.(cdr);
        this.#o.latency?.since(o.readyAt);
        this.#ackAll(o);
      });
      todo = [];
    } catch (err) {
      // Only reached when stopping: the events stay unacked and come back to the next process.
      if (!(err instanceof StoppingError)) this.#o.log.error({ err, calls: todo.length }, "finalize failed");
    } finally {
      for (const o of todo) o.finalizing = false;
      this.#batches--;
      this.#inflightChanged(list.length);
      if (this.#queue.length) this.#schedulePump();
    }
  }

  #inflightChanged(finished: number): void {
    this.stats.inflight -= finished;
    for (const w of this.#waiters.splice(0)) w();
    if (this.stats.inflight === 0) for (const r of this.#idle.splice(0)) r();
  }

  #ackAll(o: Open): void {
    for (const m of o.msgs.values()) m.ack();
    this.#open.delete(o.state.callId);
    this.stats.open = this.#open.size;
    this.#done.set(o.state.callId, true);
    if (this.#done.size > this.#o.doneCapacity) this.#done.delete(this.#done.keys().next().value!);
  }

  /** Retries a retryable failure with capped back-off until it succeeds or the assembler stops. */
  async #retry<T>(fn: () => Promise<T>, counter: RetryCounter): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.#stopping) throw new StoppingError();
      try {
        return await fn();
      } catch (err) {
        if (err instanceof CallctlError && !err.retryable) throw err;
        await this.#backoff(attempt, counter, err);
      }
    }
  }

  async #backoff(attempt: number, counter: RetryCounter, err: unknown): Promise<void> {
    if (this.#stopping) throw new StoppingError();
    this.stats[counter]++;
    this.#o.log.warn({ err: (err as Error | undefined)?.message, counter }, "retrying");
    await sleep(Math.min(100 * 2 ** attempt, 5_000));
    if (this.#stopping) throw new StoppingError();
  }
}

class StoppingError extends CallctlError {
  constructor() {
    super("STOPPING", "assembler stopping");
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
