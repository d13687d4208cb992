// Publishing what must not be lost: JetStream with a message id (server-side dedupe), ack checked.
import { jetstream, type JetStreamClient, type PubAck } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { CallctlError } from "./errors.ts";

export function js(nc: NatsConnection): JetStreamClient {
  return jetstream(nc);
}

/** Message id of a call event: `<call_id>:<event>[:<n>]` (ARCHITECTURE.md wire table). */
export function eventMsgId(callId: string, event: string, n?: number): string {
  return n === undefined ? `${callId}:${event}` : `${callId}:${event}:${n}`;
}

export async function publishDurable(client: JetStreamClient, subject: string, data: Uint8Array, msgId: string, timeoutMs = 5000): Promise<PubAck> {
  try {
    return await client.publish(subject, data, { msgID: msgId, timeout: timeoutMs });
  } catch (cause) {
    throw new CallctlError("PUBLISH_FAILED", `${subject}: JetStream did not acknowledge ${msgId}`, { cause, retryable: true });
  }
}
