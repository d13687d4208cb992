// Fewer NATS socket writes under load. nats.js flushes its outbound buffer from a microtask queued
// by the first command after a flush, i.e. after every I/O callback that sent anything: at 400 CPS
// the agent issues ~7 NATS messages per call (route, quote, authorize, four CallEvent publishes)
// from different callbacks (NATS replies, ESL sockets), and each became its own write() syscall
// (`writeBuffer` under nats.js `_send`: ~10 % of the agent's busy samples). Deferring the flush
// to setImmediate sends everything of one event-loop turn in one write; an idle agent waits no
// longer than the rest of the current poll phase. The buffer's own size limit still flushes inline.
// This reaches into nats.js's protocol handler (`nc.protocol.flushPending`, stable across 3.x and
// across reconnects, the handler outlives the socket); when it is not there, nothing is changed.
import type { NatsConnection } from "@callctl/core";

interface Protocol {
  flushPending(): void;
  outbound?: { size(): number };
  pendingLimit?: number;
}

const patched = new WeakSet<object>();

/** Coalesces the connection's writes per event-loop turn. Returns false if nats.js has no such hook. */
export function coalesceNatsWrites(nc: NatsConnection): boolean {
  const proto = (nc as unknown as { protocol?: Protocol }).protocol;
  if (!proto || typeof proto.flushPending !== "function") return false;
  if (patched.has(proto)) return true;
  patched.add(proto);
  const flushNow = proto.flushPending.bind(proto);
  let scheduled = false;
  const run = () => {
    scheduled = false;
    flushNow();
  };
  proto.flushPending = () => {
    if (proto.outbound && proto.pendingLimit && proto.outbound.size() >= proto.pendingLimit) return flushNow();
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  };
  return true;
}
