// Finalizing a batch of calls: settle them all in one credit request, publish all their Cdrs with
// the JetStream acks awaited together, then write all their index entries the same way. Each step
// retries only what failed (credit is idempotent per call id, the CDR stream dedupes on msgID =
// call id, an index put is an overwrite), and the caller acks the calls' events only after all
// three steps, so a crash anywhere means redelivery and the same outcome (assembler.ts).
import type { KV } from "@nats-io/kv";
import { CallctlError, pb, type NatsConnection, type callctl } from "@callctl/core";
import { indexSubject, indexValue } from "./cdrindex.ts";
import type { JsPublisher, PubAck } from "./jspub.ts";
import { settleMany, type SettleOptions, type SettleResult } from "./settlement.ts";
import { brandToken, type Topology } from "./topology.ts";

type Cdr = callctl.v1.Cdr.$Properties;
export type RetryCounter = "settleRetries" | "publishRetries";

export interface FinalizeDeps {
  nc: NatsConnection;
  topology: Topology;
  settle: SettleOptions;
  pub: JsPublisher;
  kv: KV;
  /** Throws when the assembler stops; counts a retry and waits the back-off otherwise. */
  backoff: (attempt: number, counter: RetryCounter, err: unknown) => Promise<void>;
}

/** Runs `step` over the items not yet done until all are; `step` returns a result or an error per item. */
async function untilDone<T>(n: number, step: (todo: number[]) => Promise<(T | Error)[]>, counter: RetryCounter, d: FinalizeDeps): Promise<T[]> {
  const out: T[] = new Array(n);
  let todo = Array.from({ length: n }, (_, i) => i);
  for (let attempt = 0; todo.length; attempt++) {
    let res: (T | Error)[];
    try {
      res = await step(todo);
    } catch (err) {
      if (err instanceof CallctlError && !err.retryable) throw err;
      await d.backoff(attempt, counter, err);
      continue;
    }
    const next: number[] = [];
    let firstErr: Error | undefined;
    res.forEach((r, k) => {
      if (r instanceof Error) {
        next.push(todo[k]!);
        firstErr ??= r;
      } else out[todo[k]!] = r;
    });
    todo = next;
    if (todo.length) await d.backoff(attempt, counter, firstErr);
  }
  return out;
}

export function settleAll(cdrs: Cdr[], d: FinalizeDeps): Promise<SettleResult[]> {
  return untilDone<SettleResult>(cdrs.length, (todo) => settleMany(d.nc, todo.map((i) => cdrs[i]!), d.settle), "settleRetries", d);
}

export function publishAll(cdrs: Cdr[], d: FinalizeDeps): Promise<PubAck[]> {
  const data = cdrs.map((c) => pb.Cdr.encode(c).finish());
  return untilDone(
    cdrs.length,
    (todo) => Promise.all(todo.map((i) => d.pub.publish(d.topology.cdrSubject(brandToken(cdrs[i]!.brand ?? "")), data[i]!, cdrs[i]!.callId ?? "").catch((e: Error) => e))),
    "publishRetries",
    d,
  );
}

export async function indexAll(cdrs: Cdr[], acks: PubAck[], d: FinalizeDeps): Promise<void> {
  await untilDone(
    cdrs.length,
    (todo) => Promise.all(todo.map((i) => d.pub.publish(indexSubject(d.kv, cdrs[i]!.callId ?? ""), indexValue({ brand: cdrs[i]!.brand ?? "", seq: acks[i]!.seq, stream: acks[i]!.stream })).catch((e: Error) => e))),
    "publishRetries",
    d,
  );
}
