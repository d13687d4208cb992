// The CDR index: KV bucket call id → where its Cdr went. It is the idempotence guard that outlives
// the CDR stream's 10-minute dedupe window, and lets reconciliation find a call's Cdr. Entries
// expire with the CALLS stream (14 days): after that no event of the call can come back.
import { Kvm, type KV } from "@nats-io/kv";
import { STREAMS, type NatsConnection } from "@callctl/core";

export interface IndexEntry {
  brand: string;
  seq: number;
  stream: string;
}

export async function openIndex(nc: NatsConnection, bucket: string): Promise<KV> {
  return new Kvm(nc).create(bucket, { history: 1, ttl: STREAMS.CALLS.maxAgeDays * 24 * 3600 * 1000 });
}

/** KV keys allow [-/_=.a-zA-Z0-9]; other call ids are stored under their base64url form. */
export function indexKey(callId: string): string {
  return /^[-_=.A-Za-z0-9]+$/.test(callId) && !callId.startsWith(".") && !callId.endsWith(".") && !callId.includes("..") ? callId : `b64_${Buffer.from(callId).toString("base64url")}`;
}

export async function indexGet(kv: KV, callId: string): Promise<IndexEntry | null> {
  const e = await kv.get(indexKey(callId));
  if (e?.operation !== "PUT") return null;
  return e.json<IndexEntry>();
}

export async function indexPut(kv: KV, callId: string, v: IndexEntry): Promise<void> {
  await kv.put(indexKey(callId), JSON.stringify(v));
}

/** The subject a put of `callId` is published to (for publishing many entries at once, jspub.ts). */
export function indexSubject(kv: KV, callId: string): string {
  return (kv as unknown as { subjectForKey(k: string, edit: boolean): string }).subjectForKey(indexKey(callId), true);
}

export function indexValue(v: IndexEntry): Uint8Array {
  return Buffer.from(JSON.stringify(v));
}
