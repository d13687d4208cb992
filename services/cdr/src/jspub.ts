// JetStream publishes with the ack awaited, many in flight at once, over ONE reply subscription.
// nats.js' js.publish() is a nc.request() per message: a timer, a deferred, a reply mux entry and a
// `RequestError("cancelled")` (stack captured) built after every reply, ~15% of the assembler's
// CPU in the bench:cdr profile. The wire protocol is the same: a publish with a reply subject and
// a `Nats-Msg-Id` header; the stream answers with a JSON PubAck or a JSON error, and a 503 status
// message comes back when no stream listens on the subject.
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { CallctlError } from "@callctl/core";

export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** The stream did not acknowledge (timeout, no stream, an error from the server): retry. */
export class PublishFailedError extends CallctlError {
  constructor(subject: string, why: string) {
    super("PUBLISH_FAILED", `${subject}: JetStream did not acknowledge (${why})`, { retryable: true, details: { subject } });
  }
}

interface Pending {
  subject: string;
  deadline: number;
  resolve: (a: PubAck) => void;
  reject: (e: Error) => void;
}

const dec = new TextDecoder();

export class JsPublisher {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #sub: Subscription;
  readonly #pending = new Map<number, Pending>();
  readonly #timer: NodeJS.Timeout;
  #n = 0;

  constructor(nc: NatsConnection, timeoutMs = 5_000) {
    this.#nc = nc;
    this.#timeoutMs = timeoutMs;
    this.#prefix = `${createInbox()}.`;
    this.#sub = nc.subscribe(`${this.#prefix}*`, { callback: (err, m) => (err ? this.#failAll(err.message) : this.#onReply(m)) });
    // one sweep for every deadline: entries are in publish order, all with the same timeout
    this.#timer = setInterval(() => this.#expire(), Math.min(250, timeoutMs)).unref();
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Publishes `data` with message id `msgId` (server-side dedupe); resolves with the stream's ack. */
  publish(subject: string, data: Uint8Array, msgId?: string): Promise<PubAck> {
    const id = ++this.#n;
    const p = new Promise<PubAck>((resolve, reject) => this.#pending.set(id, { subject, deadline: Date.now() + this.#timeoutMs, resolve, reject }));
    let h: ReturnType<typeof headers> | undefined;
    if (msgId) {
      h = headers();
      h.set("Nats-Msg-Id", msgId);
    }
    try {
      this.#nc.publish(subject, data, { reply: `${this.#prefix}${id}`, headers: h });
    } catch (err) {
      this.#settle(id, new PublishFailedError(subject, (err as Error).message));
    }
    return p;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#sub.unsubscribe();
    this.#failAll("publisher closed");
  }

  #onReply(m: Msg): void {
    const id = Number(m.subject.slice(this.#prefix.length));
    const p = this.#pending.get(id);
    if (p) this.#settle(id, this.#ackOf(p.subject, m)); // else a late reply after the deadline: the caller already retried
  }

  #ackOf(subject: string, m: Msg): PubAck | Error {
    if (m.headers?.hasError) return new PublishFailedError(subject, m.headers.code === 503 ? "no stream" : m.headers.status);
    let r: { stream?: string; seq?: number; duplicate?: boolean; error?: { code?: number; description?: string } };
    try {
      r = JSON.parse(dec.decode(m.data));
    } catch {
      return new PublishFailedError(subject, "reply is not a PubAck");
    }
    if (r.error || !r.stream) return new PublishFailedError(subject, r.error?.description ?? "invalid ack");
    return { stream: r.stream, seq: r.seq ?? 0, duplicate: !!r.duplicate };
  }

  #settle(id: number, v: PubAck | Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    if (v instanceof Error) p.reject(v);
    else p.resolve(v);
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, p] of this.#pending) {
      if (p.deadline > now) break;
      this.#settle(id, new PublishFailedError(p.subject, `no ack within ${this.#timeoutMs} ms`));
    }
  }

  #failAll(why: string): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, new PublishFailedError(this.#pending.get(id)!.subject, why));
  }
}
