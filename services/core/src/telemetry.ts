// OpenTelemetry for one service: metrics exported in Prometheus text format on the service's own
// /metrics endpoint, traces with W3C trace context carried across NATS hops in message headers.
import { context, metrics, propagation, trace, type Context, type Meter, type Span, type Tracer, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, type SpanExporter, SimpleSpanProcessor, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AsyncLocalStorageContextManager } from "./context.ts";

export interface Telemetry {
  meter: Meter;
  tracer: Tracer;
  /** Serves the Prometheus text exposition. */
  metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  shutdown: () => Promise<void>;
}

let installed = false;

export function setupTelemetry(service: string, opts: { spanExporter?: SpanExporter; sampleRatio?: number } = {}): Telemetry {
  if (!installed) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    installed = true;
  }
  const resource = resourceFromAttributes({ "service.name": service });
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [exporter] });
  const ratio = opts.sampleRatio ?? 1;
  const tracerProvider = new BasicTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: opts.spanExporter ? [new SimpleSpanProcessor(opts.spanExporter)] : [],
  });
  return {
    meter: meterProvider.getMeter(service),
    tracer: tracerProvider.getTracer(service),
    metricsHandler: (req, res) => exporter.getMetricsRequestHandler(req, res),
    shutdown: async () => {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** Minimal header carrier shared by NATS MsgHdrs and plain maps. */
export interface HeaderCarrier {
  get(key: string): string;
  set(key: string, value: string): void;
}

const setter: TextMapSetter<HeaderCarrier> = { set: (c, k, v) => c.set(k, v) };
const getter: TextMapGetter<HeaderCarrier> = {
  get: (c, k) => c.get(k) || undefined,
  keys: () => ["traceparent", "tracestate"],
};

export function injectTrace(carrier: HeaderCarrier, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier, setter);
}

export function extractTrace(carrier: HeaderCarrier | undefined): Context {
  return carrier ? propagation.extract(context.active(), carrier, getter) : context.active();
}

export function traceIdOf(span: Span | undefined): string | undefined {
  const id = span?.spanContext().traceId;
  return id && id !== "00000000000000000000000000000000" ? id : undefined;
}

export { context, metrics, trace };
