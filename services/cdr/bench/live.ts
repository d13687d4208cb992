// The live part of bench:cdr: calls end at a fixed rate (open loop) while an assembler runs; the
// latency is from the scheduled publish of a call's events to its Cdr being settled, in the CDR
// stream and indexed (the assembler's onCdr), so queueing in the assembler counts.
import { js, Latency, openLoop, pb, type Logger, type NatsConnection } from "@callctl/core";
import { Assembler } from "../src/assembler.ts";
import type { Topology } from "../src/topology.ts";
import { callEvents } from "../test/fixtures.ts";
import { waitFor } from "../test/helpers.ts";

export interface LiveResult {
  calls: number;
  target_cdrs_per_s: number;
  sent_cdrs_per_s: number;
  event_to_cdr_p50_us: number;
  event_to_cdr_p99_us: number;
  event_to_cdr_max_us: number;
}

export async function liveLatency(o: { nc: NatsConnection; topo: Topology; log: Logger; rate: number; seconds: number; idPrefix: string; finalizeBatch: number }): Promise<LiveResult> {
  const sentAt = new Map<string, bigint>();
  const lat = new Latency();
  const a = new Assembler({
    nc: o.nc,
    log: o.log,
    topology: o.topo,
    finalizeBatch: o.finalizeBatch,
    settleTimeoutMs: 5000,
    onCdr: (c) => {
      const t = sentAt.get(c.callId ?? "");
      if (t !== undefined) lat.since(t);
    },
  });
  await a.start();
  const j = js(o.nc);
  const prefix = o.topo.callsFilter.slice(0, -2);
  const total = Math.round(o.rate * o.seconds);
  const sent = await openLoop(total, o.rate, async (i, scheduledNs) => {
    const callId = `${o.idPrefix}${i}`;
    sentAt.set(callId, scheduledNs);
    await Promise.all(callEvents({ callId, talkS: i % 5 === 0 ? undefined : 10 + (i % 400) }).map((e) => j.publish(`${prefix}.${e.subjectKind}`, pb.CallEvent.encode(e.ev).finish(), { msgID: e.msgId })));
  });
  await waitFor(() => lat.count >= total, 20);
  await a.stop();
  const s = lat.summary();
  return { calls: total, target_cdrs_per_s: o.rate, sent_cdrs_per_s: sent, event_to_cdr_p50_us: s.p50_us, event_to_cdr_p99_us: s.p99_us, event_to_cdr_max_us: s.max_us };
}
