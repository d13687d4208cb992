// The shared skeleton of every service's main.ts: configuration validated once, logger,
// telemetry, NATS (provisioned), the ops HTTP server, and a clean stop on SIGINT/SIGTERM.
import type { KV } from "@nats-io/kv";
import type { Tracer, Meter } from "@opentelemetry/api";
import { baseEnv, loadEnv, type EnvShape } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { startOpsServer, type Check, type Route } from "./http.ts";
import { createLogger, type Logger } from "./log.ts";
import { connectNats, provision, type NatsConnection } from "./nats.ts";
import { setupTelemetry } from "./telemetry.ts";

export interface ServiceContext<E> {
  cfg: ReturnType<typeof loadEnv<typeof baseEnv>> & E;
  log: Logger;
  tracer: Tracer;
  meter: Meter;
  nc: NatsConnection;
  kv: KV;
}

export interface Running {
  stop(): Promise<void>;
  ready?: Record<string, Check>;
  routes?: Record<string, Route>;
}

export async function runService<S extends EnvShape>(opts: {
  name: string;
  env?: S;
  start: (ctx: ServiceContext<{ [K in keyof S]: import("zod").output<S[K]> }>) => Promise<Running>;
}): Promise<void> {
  let cfg: ServiceContext<{ [K in keyof S]: import("zod").output<S[K]> }>["cfg"];
  try {
    cfg = loadEnv({ ...baseEnv, ...(opts.env ?? {}) }) as typeof cfg;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${opts.name}: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger(opts.name, { level: cfg.LOG_LEVEL });
  const tel = setupTelemetry(opts.name);
  const nc = await connectNats(cfg.NATS_URL, `${opts.name}@${cfg.NODE_ID}`, log);
  const { kv } = await provision(nc, { replicas: cfg.JS_REPLICAS, cdrMaxAgeDays: cfg.CDR_RETENTION_DAYS });
  const running = await opts.start({ cfg, log, tracer: tel.tracer, meter: tel.meter, nc, kv });
  const ops = await startOpsServer({
    port: cfg.HTTP_PORT,
    ready: { nats: () => !nc.isClosed(), ...(running.ready ?? {}) },
    metrics: tel.metricsHandler,
    routes: running.routes ?? {},
  });
  log.info({ http_port: ops.port, node: cfg.NODE_ID }, `${opts.name} started`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${opts.name} stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await running.stop();
      await ops.close();
      await nc.drain();
      await tel.shutdown();
    } finally {
      process.exit(0);
    }
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
