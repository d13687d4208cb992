// The CDR assembler: a durable JetStream consumer on CALLS (explicit ack, bounded concurrency)
// turning each call's events into one rated, settled Cdr on `callctl.cdr.<brand>`.
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
import { openIndex, indexGet, indexPut } from "./cdrindex.ts";
import { settle, type Settlement } from "./settlement.ts";
import { brandToken, DEFAULT_TOPOLOGY, type Topology } from "./topology.ts";

export interface AssemblerOptions {
  nc: NatsConnection;
  log: Logger;
  topology?: Topology;
  node?: string;
  /** Consumer ack wait; held events are kept alive with working() every third of it. */
  ackWaitMs?: number;
  /** Consumer max_ack_pending: must exceed concurrent calls × ~4 events. */
  maxAckPending?: number;
  /** Calls being settled and published at the same time. */
  maxInflight?: number;
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
  /** Records each call's finalize time (settle + publish + index), for the benchmark. */
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
  #js?: ReturnType<typeof js>;
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
    this.#js = js(nc);
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
    if (this.stats.inflight > 0) await Promise.race([new Promise<void>((r) => this.#idle.push(r)), sleep(graceMs)]);
    for (const w of this.#waiters.splice(0)) w();
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
      o = { state: newCallState(ev.callId), msgs: new Map(), firstSeen: now, lastWorking: now, endedSeenAt: 0, redelivered: false, finalizing: false, probed: false };
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
    if (o.endedSeenAt && isComplete(o.state)) void this.#finalize(o, false);
  }

  #sweepOnce(): void {
    const now = Date.now();
    const keepAlive = this.#o.ackWaitMs / 3;
    for (const o of this.#open.values()) {
      if (o.finalizing) continue;
      if (!o.probed && this.#caughtUp && !mainStarted(o.state) && now - o.firstSeen >= this.#o.lingerMs) void this.#probe(o);
      else if (o.endedSeenAt && now - o.endedSeenAt >= this.#linger(o)) void this.#finalize(o, false);
      else if (!o.endedSeenAt && this.#caughtUp && this.#overdue(o, now)) void this.#finalize(o, true);
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

  async #finalize(o: Open, timedOut: boolean): Promise<void> {
    o.finalizing = true;
    this.stats.inflight++;
    const t0 = process.hrtime.bigint();
    const callId = o.state.callId;
    try {
      if (timedOut || o.redelivered || !isComplete(o.state)) {
        if (await this.#retry(() => indexGet(this.#kv!, callId), "publishRetries")) {
          this.stats.skippedDone++;
          return this.#ackAll(o);
        }
      }
      const cdr = buildCdr(o.state, { closedByTimeout: timedOut, unannounced: this.#o.unannounced, node: this.#o.node });
      const s = await this.#retry(() => settle(this.#o.nc, cdr, { commitSubject: this.#o.topology.creditCommit, releaseSubject: this.#o.topology.creditRelease, timeoutMs: this.#o.settleTimeoutMs }), "settleRetries");
      if (s.error) this.#o.log.warn({ call_id: callId, code: s.error }, "settlement refused by credit");
      cdr.settlement = s.settlement;
      const subject = this.#o.topology.cdrSubject(brandToken(cdr.brand ?? ""));
      const data = pb.Cdr.encode(cdr).finish();
      const ack = await this.#retry(() => this.#js!.publish(subject, data, { msgID: callId, timeout: 5_000 }), "publishRetries");
      await this.#retry(() => indexPut(this.#kv!, callId, { brand: cdr.brand ?? "", seq: ack.seq, stream: ack.stream }), "publishRetries");
      this.stats.cdrs++;
      this.stats.bySettlement[s.settlement]++;
      if (timedOut) this.stats.timeouts++;
      this.#o.onCdr?.(cdr);
      this.#o.latency?.since(t0);
      this.#ackAll(o);
    } catch (err) {
      // Only reached when stopping: the events stay unacked and come back to the next process.
      o.finalizing = false;
      if (!(err instanceof StoppingError)) this.#o.log.error({ err, call_id: callId }, "finalize failed");
    } finally {
      this.stats.inflight--;
      for (const w of this.#waiters.splice(0)) w();
      if (this.stats.inflight === 0) for (const r of this.#idle.splice(0)) r();
    }
  }

  #ackAll(o: Open): void {
    for (const m of o.msgs.values()) m.ack();
    this.#open.delete(o.state.callId);
    this.stats.open = this.#open.size;
    this.#done.set(o.state.callId, true);
    if (this.#done.size > this.#o.doneCapacity) this.#done.delete(this.#done.keys().next().value!);
  }

  /** Retries a retryable failure with capped back-off until it succeeds or the assembler stops. */
  async #retry<T>(fn: () => Promise<T>, counter: "settleRetries" | "publishRetries"): Promise<T> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
      if (this.#stopping) throw new StoppingError();
      try {
        return await fn();
      } catch (err) {
        if (err instanceof CallctlError && !err.retryable) throw err;
        this.stats[counter]++;
        this.#o.log.warn({ err: (err as Error).message, counter }, "retrying");
        await sleep(delay);
      }
    }
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
