// A JetStream message's stream sequence straight from its reply subject, without nats.js'
// `JsMsg.seq` (parseInfo: a split of the whole subject and an object of 10 fields per message,
// ~4 % of the sink's profile). The ack subject (ADR-15):
//   $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>          (9 tokens)
//   $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>.<...>          (11+ tokens)
// Anything else falls back to nats.js (which throws for a message that is not from JetStream).
import type { JsMsg } from "@nats-io/jetstream";

/** The stream sequence encoded in a JetStream ack subject, or -1 if `reply` is not one. */
export function streamSeqOfReply(reply: string): number {
  if (!reply.startsWith("$JS.ACK.")) return -1;
  let dots = 0;
  for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === 46) dots++;
  const token = dots === 8 ? 5 : dots >= 10 ? 7 : -1;
  if (token < 0) return -1;
  let start = 0;
  for (let k = 0; k < token; k++) start = reply.indexOf(".", start) + 1;
  const end = reply.indexOf(".", start);
  const v = Number(reply.slice(start, end));
  return Number.isSafeInteger(v) && v >= 0 && end > start ? v : -1;
}

/** `m.seq`, read from the reply subject (nats.js' JsMsg has it as `reply`, not in the type). */
export function streamSeqOf(m: JsMsg): number {
  const reply = (m as unknown as { reply?: unknown }).reply;
  const v = typeof reply === "string" ? streamSeqOfReply(reply) : -1;
  return v >= 0 ? v : m.seq;
}
