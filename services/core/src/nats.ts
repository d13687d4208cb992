// NATS connection with reconnect, and the one idempotent place where JetStream streams and the
// configuration KV bucket are provisioned.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { Logger } from "./log.ts";
import { fixNatsRequestCancel } from "./nats-request-fix.ts";

export type { NatsConnection };

export async function connectNats(url: string, name: string, log?: Logger): Promise<NatsConnection> {
  fixNatsRequestCancel();
  const nc = await connect({
    servers: url.replace(/^nats:\/\//, ""),
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    // No caller stack captured per request/publish: nats.js builds a RequestError and a
    // TimeoutError for every request otherwise, ~20% of the CDR assembler's CPU (bench:cdr
    // profile); request() in this package reports the subject and deadline of a failure anyway.
    noAsyncTraces: true,
  });
  if (log) {
    (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error") log.warn({ nats: s.type }, "nats connection status");
      }
    })().catch(() => {});
  }
  return nc;
}

const DAY_NS = 24 * 60 * 60 * 1e9;

export const STREAMS = {
  CALLS: { name: "CALLS", subjects: ["callctl.calls.>"], maxAgeDays: 14 },
  CDR: { name: "CDR", subjects: ["callctl.cdr.>"], maxAgeDays: 183 },
} as const;
export const CONFIG_BUCKET = "callctl-config";

export interface ProvisionOptions {
  /** CDR stream retention; default 6 months (183 days), DOMAIN.md §4. */
  cdrMaxAgeDays?: number;
  callsMaxAgeDays?: number;
  /** Dedupe window for message ids; default 2 minutes (nats default), longer catches late retries. */
  duplicateWindowMs?: number;
  replicas?: number;
}

/** Creates or updates the streams CALLS and CDR and the KV bucket. Safe to run any number of times. */
export async function provision(nc: NatsConnection, opts: ProvisionOptions = {}): Promise<{ jsm: JetStreamManager; kv: KV }> {
  const jsm = await jetstreamManager(nc);
  const dupNs = (opts.duplicateWindowMs ?? 10 * 60_000) * 1e6;
  const specs = [
    { ...STREAMS.CALLS, maxAgeDays: opts.callsMaxAgeDays ?? STREAMS.CALLS.maxAgeDays },
    { ...STREAMS.CDR, maxAgeDays: opts.cdrMaxAgeDays ?? STREAMS.CDR.maxAgeDays },
  ];
  for (const s of specs) {
    const cfg = {
      name: s.name,
      subjects: [...s.subjects],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: Math.round(s.maxAgeDays * DAY_NS),
      duplicate_window: dupNs,
      num_replicas: opts.replicas ?? 1,
    };
    try {
      const info = await jsm.streams.info(s.name);
      const c = info.config;
      if (c.max_age !== cfg.max_age || c.duplicate_window !== cfg.duplicate_window || c.subjects.join() !== cfg.subjects.join()) {
        await jsm.streams.update(s.name, { ...c, max_age: cfg.max_age, duplicate_window: cfg.duplicate_window, subjects: cfg.subjects });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(cfg);
    }
  }
  const kv = await new Kvm(nc).create(CONFIG_BUCKET, { history: 5 });
  return { jsm, kv };
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || /not found/i.test(String(e?.message));
}
