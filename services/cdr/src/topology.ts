// Where the CDR service reads and writes. Production uses the names of ARCHITECTURE.md's wire
// table; tests on the shared NATS server pass a prefix so that parallel runs never meet.
import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy } from "@nats-io/jetstream";
import { SUBJECTS, STREAMS, type NatsConnection } from "@callctl/core";

export interface Topology {
  callsStream: string;
  callsFilter: string;
  cdrStream: string;
  cdrSubject: (brand: string) => string;
  cdrFilter: string;
  creditCommit: string;
  creditRelease: string;
  /** Many commits/releases in one request (credit's settle.batch endpoint, @callctl/credit batch.ts). */
  creditSettleBatch: string;
  /** Durable consumer names. */
  assemblerDurable: string;
  sinkDurable: string;
  /** KV bucket: call id → CDR published (the idempotence guard beyond the dedupe window). */
  indexBucket: string;
}

export const DEFAULT_TOPOLOGY: Topology = {
  callsStream: STREAMS.CALLS.name,
  callsFilter: "callctl.calls.>",
  cdrStream: STREAMS.CDR.name,
  cdrSubject: (brand) => SUBJECTS.cdr(brand),
  cdrFilter: "callctl.cdr.>",
  creditCommit: SUBJECTS.creditCommit,
  creditRelease: SUBJECTS.creditRelease,
  creditSettleBatch: SUBJECTS.creditSettleBatch,
  assemblerDurable: "cdr-assembler",
  sinkDurable: "cdr-sink",
  indexBucket: "callctl-cdr-index",
};

/** A private topology for one test: streams `<P>_CALLS`/`<P>_CDR` on subjects `<p>.calls.>` etc. */
export function testTopology(p: string): Topology {
  return {
    callsStream: `${p}_CALLS`,
    callsFilter: `${p}.calls.>`,
    cdrStream: `${p}_CDR`,
    cdrSubject: (brand) => `${p}.cdr.${brand}`,
    cdrFilter: `${p}.cdr.>`,
    creditCommit: `${p}.credit.commit`,
    creditRelease: `${p}.credit.release`,
    creditSettleBatch: `${p}.credit.settle.batch`,
    assemblerDurable: `${p}-assembler`,
    sinkDurable: `${p}-sink`,
    indexBucket: `${p}-cdr-index`,
  };
}

/** Creates the two streams of a test topology (production streams come from core's provision()). */
export async function ensureTestStreams(nc: NatsConnection, t: Topology, duplicateWindowMs = 10 * 60_000): Promise<() => Promise<void>> {
  const jsm = await jetstreamManager(nc);
  for (const [name, subj] of [
    [t.callsStream, t.callsFilter],
    [t.cdrStream, t.cdrFilter],
  ] as const) {
    await jsm.streams.add({ name, subjects: [subj], retention: RetentionPolicy.Limits, storage: StorageType.File, discard: DiscardPolicy.Old, duplicate_window: duplicateWindowMs * 1e6 });
  }
  return async () => {
    for (const name of [t.callsStream, t.cdrStream, `KV_${t.indexBucket}`]) await jsm.streams.delete(name).catch(() => false);
  };
}

/** A brand as a subject token: letters, digits, `_` and `-`; anything else becomes `_`. */
export function brandToken(brand: string): string {
  const b = brand.replace(/[^A-Za-z0-9_-]/g, "_");
  return b || "_unknown";
}
