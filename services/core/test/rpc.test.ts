// Request/reply over a real nats-server: deadlines, coded errors, bad payloads, trace context.
import t from "tap";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { pb, startService, request, createLogger, setupTelemetry, DeadlineExceededError, NoResponderError, RemoteServiceError, ValidationError, CallctlError } from "../src/index.ts";
import { testNats, uniq } from "../src/testing.ts";

const log = createLogger("test", { level: "silent" });
const spans = new InMemorySpanExporter();
const tel = setupTelemetry("rpc-test", { spanExporter: spans });
const nc = await testNats();
t.teardown(() => nc.close());
const subject = `test.${uniq()}.echo`;
const slowSubject = `test.${uniq()}.slow`;

const svc = await startService(nc, {
  name: uniq("svc"),
  version: "0.0.1",
  endpoints: [
    {
      name: "echo",
      subject,
      request: pb.RouteRequest,
      reply: pb.RouteDecision,
      validate: (r) => {
        if (r.dialed.includes("\n")) throw new ValidationError("dialed contains a newline", { field: "dialed" });
      },
      handle: (r) => {
        if (r.dialed === "boom") throw new Error("unexpected");
        if (r.dialed === "coded") throw new CallctlError("UNKNOWN_ACCOUNT", "no such account");
        const traceId = trace.getActiveSpan()?.spanContext().traceId ?? "";
        return pb.RouteDecision.create({ callId: r.callId, brand: r.dialed, configVersion: traceId });
      },
    },
    {
      name: "slow",
      subject: slowSubject,
      request: pb.RouteRequest,
      reply: pb.RouteDecision,
      handle: async (r) => {
        await new Promise((res) => setTimeout(res, 300));
        return pb.RouteDecision.create({ callId: r.callId });
      },
    },
  ],
}, { log, tracer: tel.tracer });
t.teardown(() => svc.stop());

t.test("a reply carries the decoded result", async (t) => {
  const res = await request(nc, subject, pb.RouteRequest, pb.RouteRequest.create({ callId: "c1", dialed: "01097" }), pb.RouteDecision, { timeoutMs: 2000 });
  t.equal(res.callId, "c1");
  t.equal(res.brand, "01097");
});

t.test("a deadline that passes raises DeadlineExceededError", async (t) => {
  const err = await request(nc, slowSubject, pb.RouteRequest, pb.RouteRequest.create({ callId: "c2" }), pb.RouteDecision, { timeoutMs: 50 }).catch((e) => e);
  t.type(err, DeadlineExceededError);
  t.equal(err.code, "DEADLINE_EXCEEDED");
});

t.test("no service on the subject raises NoResponderError", async (t) => {
  const err = await request(nc, `test.${uniq()}.nobody`, pb.RouteRequest, pb.RouteRequest.create({}), pb.RouteDecision, { timeoutMs: 500 }).catch((e) => e);
  t.type(err, NoResponderError);
  t.equal(err.code, "NO_RESPONDER");
});

t.test("malformed protobuf gets a coded BAD_REQUEST reply and the service keeps serving", async (t) => {
  const garbage = { encode: () => ({ finish: () => new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]) }), decode: pb.RouteRequest.decode.bind(pb.RouteRequest) };
  const err = await request(nc, subject, garbage, {} as never, pb.RouteDecision, { timeoutMs: 2000 }).catch((e) => e);
  t.type(err, RemoteServiceError);
  t.equal(err.code, "BAD_REQUEST");
  t.equal(err.status, 400);
  const ok = await request(nc, subject, pb.RouteRequest, pb.RouteRequest.create({ callId: "after", dialed: "x" }), pb.RouteDecision, { timeoutMs: 2000 });
  t.equal(ok.callId, "after", "still serving");
});

t.test("edge validation and handler errors are coded, internals are not leaked", async (t) => {
  const bad = await request(nc, subject, pb.RouteRequest, pb.RouteRequest.create({ dialed: "01097\nexecute" }), pb.RouteDecision, { timeoutMs: 2000 }).catch((e) => e);
  t.equal(bad.code, "BAD_REQUEST");
  const coded = await request(nc, subject, pb.RouteRequest, pb.RouteRequest.create({ dialed: "coded" }), pb.RouteDecision, { timeoutMs: 2000 }).catch((e) => e);
  t.equal(coded.code, "UNKNOWN_ACCOUNT");
  t.equal(coded.status, 404);
  const boom = await request(nc, subject, pb.RouteRequest, pb.RouteRequest.create({ dialed: "boom" }), pb.RouteDecision, { timeoutMs: 2000 }).catch((e) => e);
  t.equal(boom.code, "INTERNAL");
  t.notMatch(boom.message, /unexpected/, "the thrown message stays inside the service");
});

t.test("the trace id crosses the NATS hop", async (t) => {
  const span = tel.tracer.startSpan("client");
  const { context } = await import("@opentelemetry/api");
  const res = await context.with(trace.setSpan(context.active(), span), () =>
    request(nc, subject, pb.RouteRequest, pb.RouteRequest.create({ callId: "traced", dialed: "t" }), pb.RouteDecision, { timeoutMs: 2000 }),
  );
  span.end();
  const clientTrace = span.spanContext().traceId;
  t.match(clientTrace, /^[0-9a-f]{32}$/);
  t.equal(res.configVersion, clientTrace, "server-side active span has the client's trace id");
  const server = spans.getFinishedSpans().find((s) => s.name === subject && s.spanContext().traceId === clientTrace);
  t.ok(server, "a server span was recorded in the same trace");
});
