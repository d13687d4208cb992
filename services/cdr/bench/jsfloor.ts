// The JetStream floor of bench:cdr, on the bench's private nats-server: what the primitive
// operations a Cdr needs cost, measured in the same run. (a) a publish to a file-store stream with
// a message id (dedupe, as the Cdr publish) and its ack awaited, many in flight over one reply
// subscription (src/jspub.ts); (b) one delivery of a stored message to a durable pull consumer and
// its explicit ack. Each as the most messages/s one client gets and the nats-server CPU (from
// /proc) per operation. Then the arithmetic: per Cdr the pipeline needs 4 event deliveries + 4
// acks and 2 stored messages (the Cdr and its index entry) in nats-server.
import { AckPolicy, DeliverPolicy, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { js, type NatsConnection } from "@callctl/core";
import { JsPublisher } from "../src/jspub.ts";
import { cpuMeter } from "./cpu.ts";

export interface JsFloorOp {
  msgs: number;
  msgs_per_s: number;
  /** nats-server CPU per operation */
  nats_us_per_op: number;
  /** this process's CPU per operation (the client's side) */
  node_us_per_op: number;
}

export interface JsFloor {
  payload_bytes: number;
  publish_ack: JsFloorOp;
  deliver_ack: JsFloorOp;
  per_cdr: {
    ops: string;
    nats_us: number;
    /** 2 cores' worth of CPU divided by nats-server's CPU per Cdr: a free assembler, nothing else */
    max_cdrs_per_s_2_cores: number;
  };
}

const CORES = 2;

export async function measureJsFloor(o: { nc: NatsConnection; natsPid: () => number[]; name: string; msgs: number; payloadBytes?: number; window?: number }): Promise<JsFloor> {
  const { nc, msgs } = o;
  const payload = new Uint8Array(o.payloadBytes ?? 360).map((_, i) => (i * 31) & 0xff);
  const window = o.window ?? 4000;
  const jsm = await jetstreamManager(nc);
  const subject = `${o.name}.floor`;
  await jsm.streams.add({ name: o.name, subjects: [subject], retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: 120e9 });
  try {
    // (a) publish + ack, a sliding window of `window` in flight
    const pub = new JsPublisher(nc);
    const ring: Promise<unknown>[] = new Array(window);
    let cpu = cpuMeter({ nats: o.natsPid });
    let t0 = performance.now();
    for (let i = 0; i < msgs; i++) {
      if (i >= window) await ring[i % window];
      ring[i % window] = pub.publish(subject, payload, `f${i}`);
    }
    await Promise.all(ring);
    const pubS = (performance.now() - t0) / 1000;
    const pubCpu = cpu();
    pub.close();
    // (b) delivery to a durable pull consumer + explicit ack, each message once
    await jsm.consumers.add(o.name, { durable_name: "floor", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: window * 4 });
    const consumer = await js(nc).consumers.get(o.name, "floor");
    cpu = cpuMeter({ nats: o.natsPid });
    t0 = performance.now();
    const it = await consumer.consume({ max_messages: window });
    let got = 0;
    for await (const m of it) {
      m.ack();
      if (++got >= msgs) break;
    }
    await nc.flush(); // the last acks are on the wire
    const subS = (performance.now() - t0) / 1000;
    const subCpu = cpu();
    await it.close();
    const op = (s: number, c: Record<string, number>): JsFloorOp => ({ msgs, msgs_per_s: Math.round(msgs / s), nats_us_per_op: +(c.nats! / msgs).toFixed(1), node_us_per_op: +(c.node! / msgs).toFixed(1) });
    const publish_ack = op(pubS, pubCpu);
    const deliver_ack = op(subS, subCpu);
    const natsPerCdr = 4 * deliver_ack.nats_us_per_op + 2 * publish_ack.nats_us_per_op;
    return {
      payload_bytes: payload.length,
      publish_ack,
      deliver_ack,
      per_cdr: { ops: "4 x (delivery + ack) + 2 x (publish + ack)", nats_us: +natsPerCdr.toFixed(1), max_cdrs_per_s_2_cores: Math.round((CORES * 1e6) / natsPerCdr) },
    };
  } finally {
    await jsm.streams.delete(o.name).catch(() => {});
  }
}
