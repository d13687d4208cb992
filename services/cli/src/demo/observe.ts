// What the demo reports: call outcomes seen by the simulated callers, and the records the stack
// wrote for this run's node — call events on CALLS, CDRs on the CDR stream and in PostgreSQL —
// so that `lost` and `duplicated` are counted, not assumed.
import { jetstream, DeliverPolicy } from "@nats-io/jetstream";
import { pb, Latency, countOutcome, emptyKpi, asr, ner, type NatsConnection } from "@callctl/core";
import pg from "pg";

export interface CallerOutcome {
  answered: boolean;
  q850: number;
  attempts: number;
  pddMs?: number;
  earlyMedia: boolean;
}

export class Observer {
  readonly kpi = emptyKpi();
  readonly pdd = new Latency();
  placed = 0;
  completed = 0;
  rejected = 0;
  answered = 0;
  failedToPlace = 0;
  readonly started = new Set<string>();
  readonly cdrIds = new Set<string>();
  cdrMessages = 0;
  #stops: Array<() => void> = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
    private readonly sinceMs: number,
  ) {}

  record(o: CallerOutcome): void {
    this.completed++;
    if (o.answered) this.answered++;
    if (o.attempts === 0) {
      this.rejected++;
      return;
    }
    countOutcome(this.kpi, o.q850, o.answered);
    if (o.pddMs !== undefined) this.pdd.recordUs(o.pddMs * 1000);
  }

  /** Follows CALLS (started) and CDR from the run's start, counting what belongs to this node. */
  async follow(): Promise<void> {
    const js = jetstream(this.nc);
    const startTime = new Date(this.sinceMs - 1000).toISOString();
    const calls = await js.consumers.get("CALLS", { filter_subjects: "callctl.calls.started", deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime });
    const cdrs = await js.consumers.get("CDR", { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime });
    const a = await calls.consume();
    const b = await cdrs.consume();
    this.#stops.push(() => a.stop(), () => b.stop());
    void (async () => {
      for await (const m of a) {
        const ev = pb.CallEvent.decode(m.data);
        if (ev.node === this.node) this.started.add(ev.callId);
      }
    })().catch(() => {});
    void (async () => {
      for await (const m of b) {
        const cdr = pb.Cdr.decode(m.data);
        if (cdr.node !== this.node) continue;
        this.cdrMessages++;
        this.cdrIds.add(cdr.callId);
      }
    })().catch(() => {});
  }

  stop(): void {
    for (const s of this.#stops) s();
  }

  snapshot() {
    return { asr: asr(this.kpi), ner: ner(this.kpi), pdd: this.pdd.summary() };
  }
}

export async function countSink(pgUrl: string, schema: string, node: string): Promise<{ rows: number; distinct: number; ids: Set<string> }> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const r = await client.query(`select call_id from ${pg.escapeIdentifier(schema)}.cdrs where node = $1`, [node]);
    const ids = new Set<string>(r.rows.map((x: { call_id: string }) => x.call_id));
    return { rows: r.rowCount ?? 0, distinct: ids.size, ids };
  } catch {
    return { rows: 0, distinct: 0, ids: new Set() };
  } finally {
    await client.end();
  }
}

export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const ms = (us: number) => `${(us / 1000).toFixed(1)}ms`;
