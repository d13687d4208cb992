// Typed request/reply over protobuf on NATS services (@nats-io/services): every request has a
// deadline, every failure is a coded error, and W3C trace context rides in the NATS headers.
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, errors as natsErrors } from "@nats-io/transport-node";
import { Svcm, type Service, type ServiceMsg } from "@nats-io/services";
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { CallctlError, DeadlineExceededError, NoResponderError, RemoteServiceError, ValidationError, statusOf } from "./errors.ts";
import type { Logger } from "./log.ts";
import { pb } from "./proto.ts";
import { extractTrace, injectTrace } from "./telemetry.ts";

/** What the generated protobufjs static classes offer. */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(data: Uint8Array): T;
}

export interface HandlerContext {
  subject: string;
  headers: MsgHdrs | undefined;
  log: Logger;
}

export interface EndpointSpec<Req, Res> {
  name: string;
  subject: string;
  request: Codec<Req>;
  reply: Codec<Res>;
  /** Optional edge validation; throw a ValidationError to refuse the request. */
  validate?: (req: Req) => void;
  handle: (req: Req, ctx: HandlerContext) => Promise<Res> | Res;
}

export interface ServiceSpec {
  name: string;
  version: string;
  description?: string;
  queue?: string;
  // biome-ignore lint/suspicious/noExplicitAny: endpoints of mixed message types
  endpoints: EndpointSpec<any, any>[];
}

const hdrCarrier = (h: MsgHdrs) => ({ get: (k: string) => h.get(k), set: (k: string, v: string) => h.set(k, v) });

function errorReply(callId: string, err: CallctlError): Uint8Array {
  return pb.ErrorReply.encode({ callId, error: { code: err.code, message: err.message, retryable: err.retryable, details: err.details } }).finish();
}

/** Starts a NATS micro-service with protobuf endpoints. Malformed payloads get a BAD_REQUEST reply. */
export async function startService(nc: NatsConnection, spec: ServiceSpec, deps: { log: Logger; tracer: Tracer }): Promise<Service> {
  const svc = await new Svcm(nc as never).add({ name: spec.name, version: spec.version, description: spec.description ?? "", queue: spec.queue ?? spec.name });
  for (const ep of spec.endpoints) {
    svc.addEndpoint(ep.name, {
      subject: ep.subject,
      handler: (err, msg) => {
        if (err) {
          deps.log.error({ err, subject: ep.subject }, "endpoint failed");
          return;
        }
        void dispatch(ep, msg, deps);
      },
    });
  }
  return svc;
}

async function dispatch<Req, Res>(ep: EndpointSpec<Req, Res>, msg: ServiceMsg, deps: { log: Logger; tracer: Tracer }): Promise<void> {
  const parent = extractTrace(msg.headers ? hdrCarrier(msg.headers) : undefined);
  const span = deps.tracer.startSpan(ep.subject, { kind: SpanKind.SERVER }, parent);
  let callId = "";
  try {
    let req: Req;
    try {
      req = ep.request.decode(msg.data);
    } catch (cause) {
      throw new ValidationError(`${ep.subject}: payload is not a valid ${ep.name} request`, {}, cause);
    }
    callId = String((req as { callId?: unknown }).callId ?? "");
    ep.validate?.(req);
    const res = await context.with(trace.setSpan(parent, span), () => ep.handle(req, { subject: ep.subject, headers: msg.headers, log: deps.log }));
    msg.respond(ep.reply.encode(res).finish());
  } catch (e) {
    const err = e instanceof CallctlError ? e : new CallctlError("INTERNAL", "internal error", { cause: e });
    if (err.code === "INTERNAL") deps.log.error({ err: e, subject: ep.subject, call_id: callId }, "handler failed");
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.code });
    msg.respondError(statusOf(err.code), `${err.code}: ${err.message}`, errorReply(callId, err));
  } finally {
    span.end();
  }
}

export interface RequestOptions {
  timeoutMs: number;
  headers?: MsgHdrs;
}

/** One protobuf request with a deadline. Throws DeadlineExceededError, NoResponderError or RemoteServiceError. */
export async function request<Req, Res>(nc: NatsConnection, subject: string, reqCodec: Codec<Req>, req: Req, resCodec: Codec<Res>, opts: RequestOptions): Promise<Res> {
  const h = opts.headers ?? natsHeaders();
  injectTrace(hdrCarrier(h));
  let msg: Msg;
  try {
    msg = await nc.request(subject, reqCodec.encode(req).finish(), { timeout: opts.timeoutMs, headers: h });
  } catch (err) {
    throw mapRequestError(err, subject, opts.timeoutMs);
  }
  const code = msg.headers?.get("Nats-Service-Error-Code");
  if (code) {
    let remote: { code?: string | null; message?: string | null; retryable?: boolean | null } = {};
    try {
      remote = pb.ErrorReply.decode(msg.data).error ?? {};
    } catch {
      /* body may be absent: the header still says what happened */
    }
    throw new RemoteServiceError(Number(code), remote.code || "INTERNAL", remote.message || msg.headers?.get("Nats-Service-Error") || "remote error", remote.retryable ?? false);
  }
  try {
    return resCodec.decode(msg.data);
  } catch (cause) {
    throw new CallctlError("BAD_REPLY", `${subject}: reply is not valid protobuf`, { cause });
  }
}

function mapRequestError(err: unknown, subject: string, timeoutMs: number): Error {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof natsErrors.TimeoutError) return new DeadlineExceededError(subject, timeoutMs, err);
    if (e instanceof natsErrors.NoRespondersError) return new NoResponderError(subject, err);
    if (e instanceof natsErrors.RequestError && e.isNoResponders()) return new NoResponderError(subject, err);
  }
  return new CallctlError("UNAVAILABLE", `${subject}: request failed`, { cause: err, retryable: true });
}
