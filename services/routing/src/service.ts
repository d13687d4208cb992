// The routing service on NATS: callctl.route.decide and callctl.route.blocks (one queue group,
// any number of instances), tables from the KV configuration document (watched, swapped
// atomically; a bad document is refused and the running tables stay), and trunk health from the
// CALLS stream's attempt events.
//
// Health consumer: an ordered (ephemeral, no-ack) consumer per instance, filtered on
// callctl.calls.attempt and starting `warmMs` back in time. Every instance must see every attempt
// (each keeps its own breakers, so all instances demote a failing trunk alike); a shared durable
// would split the attempts between instances, and a durable per instance would leave server state
// behind for every instance that ever ran. Losing a few attempts on a reconnect costs nothing:
// the window is statistical, and the ordered consumer resumes by itself.
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { CallctlError, CONFIG_KEY, type Logger, pb, SUBJECTS, startService, STREAMS, validateConfig, type ServiceContext, type callctl } from "@callctl/core";
import { listBlocks } from "./blocks.ts";
import { routingConfigSchema } from "./config.ts";
import { compileOffThread, type DeckWorkerOptions } from "./offthread.ts";
import { Router } from "./router.ts";
import { compile, type Tables } from "./tables.ts";

type KV = ServiceContext<unknown>["kv"];
type Tracer = ServiceContext<unknown>["tracer"];
type Meter = ServiceContext<unknown>["meter"];

export interface RoutingDeps {
  nc: NatsConnection;
  kv: KV;
  log: Logger;
  tracer: Tracer;
  meter?: Meter;
  router?: Router;
  /** How far back the health consumer starts (default 5 minutes). */
  warmMs?: number;
  /** How the deck worker runs (offthread.ts; default: SCHED_IDLE). */
  deckWorker?: DeckWorkerOptions;
  /** Subjects and stream; tests override them to stay apart from other tests on the same server. */
  subjects?: { decide?: string; blocks?: string; attempts?: string; stream?: string };
}

export interface RoutingService {
  router: Router;
  stop(): Promise<void>;
  /** Resolves once the first configuration document has been applied. */
  loaded: Promise<void>;
}

function swapped(router: Router, tables: Tables, revision: number, t0: number, log: Logger): true {
  router.swap(tables);
  log.info({ config_version: tables.version, revision, compile_ms: Math.round(performance.now() - t0) }, "routing tables swapped");
  return true;
}

function refused(err: unknown, revision: number, log: Logger): false {
  log.error({ err, revision, code: err instanceof CallctlError ? err.code : "INTERNAL" }, "configuration refused, keeping the running tables");
  return false;
}

/** Applies one configuration document; a bad one is logged and refused. Returns true when swapped. */
export function applyDocument(router: Router, doc: unknown, revision: number, log: Logger): boolean {
  const t0 = performance.now();
  try {
    const cfg = validateConfig(routingConfigSchema, doc, {}, `kv:callctl-config/config@${revision}`);
    return swapped(router, compile(cfg, revision), revision, t0, log);
  } catch (err) {
    return refused(err, revision, log);
  }
}

/**
 * The same for the service: the document's bytes are parsed, validated and its rate decks compiled
 * in a worker thread (offthread.ts), so a 1,000,000-prefix deck does not stall decisions; only the
 * swap itself runs here. `bytes` is moved to the worker when it owns its whole buffer (detached
 * here afterwards), otherwise copied.
 */
export async function applyDocumentOffThread(router: Router, bytes: Uint8Array | string, revision: number, log: Logger, opts?: DeckWorkerOptions): Promise<boolean> {
  const t0 = performance.now();
  try {
    return swapped(router, await compileOffThread(bytes, revision, undefined, true, opts), revision, t0, log);
  } catch (err) {
    return refused(err, revision, log);
  }
}

export async function startRouting(deps: RoutingDeps): Promise<RoutingService> {
  const { nc, kv, log, tracer } = deps;
  const router = deps.router ?? new Router();
  const count = decisionCounter(deps.meter);
  let markLoaded: () => void = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  // the KV document (watchConfig's contract: key `config`, every PUT), applied in revision order
  const it = await kv.watch({ key: CONFIG_KEY });
  const watch = { stop: () => it.stop() };
  (async () => {
    let applying: Promise<unknown> = Promise.resolve();
    for await (const e of it) {
      if (e.operation !== "PUT") continue;
      const bytes = e.value;
      applying = applying.then(async () => {
        if (await applyDocumentOffThread(router, bytes, e.revision, log, deps.deckWorker)) markLoaded();
      });
    }
  })().catch((err) => log.error({ err }, "configuration watch failed"));
  const svc = await startService(
    nc,
    {
      name: deps.subjects?.decide ? `routing-${deps.subjects.decide.replace(/[^A-Za-z0-9]/g, "-")}` : "routing",
      version: "0.1.0",
      description: "number plan, destination policy, least-cost routing",
      endpoints: [
        {
          name: "decide",
          subject: deps.subjects?.decide ?? SUBJECTS.routeDecide,
          request: pb.RouteRequest,
          reply: pb.RouteDecision,
          handle: (req: callctl.v1.IRouteRequest, ctx) => {
            const d = router.decide(req);
            count(d.brand ?? "", d.reject?.reason ?? "");
            if (d.reject) ctx.log.debug({ call_id: d.callId, reason: d.reject.reason, detail: d.reject.detail }, "route rejected");
            return d;
          },
        },
        {
          name: "blocks",
          subject: deps.subjects?.blocks ?? SUBJECTS.routeBlocks,
          request: pb.BlocksRequest,
          reply: pb.BlocksList,
          handle: (req: callctl.v1.IBlocksRequest) => {
            const t = router.tables;
            if (!t) throw new CallctlError("UNAVAILABLE", "routing has no configuration loaded yet", { retryable: true });
            return { callId: req.callId ?? "", blocks: listBlocks(t, { brand: req.brand ?? "", accountId: req.accountId ?? "" }), configVersion: t.version };
          },
        },
      ],
    },
    { log, tracer },
  );
  const stopHealth = await consumeAttempts(nc, router, log, deps.warmMs ?? 5 * 60_000, deps.subjects);
  return {
    router,
    loaded,
    async stop() {
      stopHealth();
      watch.stop();
      await svc.stop();
    },
  };
}

/**
 * callctl_route_decisions_total{outcome, reason, brand}: counted in plain maps and read by the
 * exporter on scrape (an observable counter), instead of a Counter#add with an attribute object
 * per decision (attribute hashing was ~3 % of the service's CPU at 2,000 decisions/s).
 */
function decisionCounter(meter: Meter | undefined): (brand: string, reason: string) => void {
  if (!meter) return () => {};
  const byBrand = new Map<string, Map<string, { n: number; attrs: { outcome: string; reason: string; brand: string } }>>();
  meter.createObservableCounter("callctl_route_decisions_total", { description: "routing decisions by outcome and reason" }).addCallback((r) => {
    for (const m of byBrand.values()) for (const c of m.values()) r.observe(c.n, c.attrs);
  });
  return (brand, reason) => {
    let m = byBrand.get(brand);
    if (!m) byBrand.set(brand, (m = new Map()));
    const c = m.get(reason);
    if (c) c.n++;
    else m.set(reason, { n: 1, attrs: { outcome: reason ? "REJECT" : "ROUTE", reason, brand } });
  };
}

/** Feeds ATTEMPT events of the CALLS stream into the router's trunk health. */
export async function consumeAttempts(nc: NatsConnection, router: Router, log: Logger, warmMs: number, at: { attempts?: string; stream?: string } = {}): Promise<() => void> {
  const consumer = await jetstream(nc).consumers.get(at.stream ?? STREAMS.CALLS.name, {
    filter_subjects: at.attempts ?? SUBJECTS.callEvent("attempt"), // one subject: works on servers before 2.10
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(Date.now() - warmMs).toISOString(),
  });
  const messages = await consumer.consume();
  (async () => {
    for await (const m of messages) {
      try {
        const ev = pb.CallEvent.decode(m.data);
        const a = ev.attempt;
        if (ev.kind !== pb.CallEventKind.ATTEMPT || !a?.trunkId) continue;
        // only final outcomes count; an attempt still ringing has no disposition yet
        if (!a.disposition && !a.q850 && !a.sipCode) continue;
        router.health.record(a.trunkId, a.q850 ?? 0, a.sipCode ?? 0);
      } catch (err) {
        log.warn({ err, subject: m.subject, seq: m.seq }, "undecodable call event ignored");
      }
    }
  })().catch((err) => log.error({ err }, "attempt consumer stopped"));
  return () => void messages.stop();
}
