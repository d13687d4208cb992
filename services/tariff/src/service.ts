// The NATS face of the tariff service: callctl.tariff.quote (QuoteRequest -> Quote) and
// callctl.tariff.rate (RateRequest -> Rating), answered from in-memory tables that are rebuilt and
// swapped as one reference whenever the configuration document in KV changes.
import { CallctlError, type Logger, type NatsConnection, type ServiceContext, SUBJECTS, startService, validateConfig, watchConfig, pb, type callctl } from "@callctl/core";
import type { KV } from "@nats-io/kv";
import { tariffConfigSchema } from "./config.ts";
import { Quoter } from "./quote.ts";
import { rate } from "./rating.ts";
import { Tables } from "./tables.ts";

type Tracer = ServiceContext<object>["tracer"];

export const TARIFF_RATE_SUBJECT = "callctl.tariff.rate";

/** No configuration has been loaded yet (retryable). */
export class NotReadyError extends CallctlError {
  constructor() {
    super("UNAVAILABLE", "tariff tables not loaded yet", { retryable: true });
  }
}

export class TariffEngine {
  #quoter: Quoter | undefined;
  revision = 0;
  readonly now: () => number;
  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  get ready(): boolean {
    return this.#quoter !== undefined;
  }

  /** Validates a whole configuration document and swaps the tables; a bad document changes nothing. */
  load(doc: unknown, revision = this.revision + 1): void {
    const cfg = validateConfig(tariffConfigSchema, doc, {}, "kv:callctl-config");
    this.#quoter = new Quoter(new Tables(cfg));
    this.revision = revision;
  }

  quote(req: callctl.v1.IQuoteRequest): callctl.v1.IQuote {
    const q = this.#quoter;
    if (!q) throw new NotReadyError();
    const atMs = Number(req.atMs ?? 0);
    return q.quote({ callId: req.callId ?? "", brand: req.brand ?? "", zone: req.zone || req.destination?.zone || "", atMs: atMs > 0 ? atMs : this.now(), product: req.product ?? "" });
  }
}

export interface TariffServiceOptions {
  log: Logger;
  tracer: Tracer;
  /** override the subjects (tests), default SUBJECTS.tariffQuote and TARIFF_RATE_SUBJECT */
  subjects?: { quote?: string; rate?: string };
  queue?: string;
}

export async function startTariffService(nc: NatsConnection, engine: TariffEngine, opts: TariffServiceOptions) {
  return startService(
    nc,
    {
      name: "tariff",
      version: "0.1.0",
      description: "price lists, quotes, rating and the German price announcement",
      queue: opts.queue ?? "tariff",
      endpoints: [
        { name: "quote", subject: opts.subjects?.quote ?? SUBJECTS.tariffQuote, request: pb.QuoteRequest, reply: pb.Quote, handle: (req: callctl.v1.QuoteRequest) => engine.quote(req) },
        {
          name: "rate",
          subject: opts.subjects?.rate ?? TARIFF_RATE_SUBJECT,
          request: pb.RateRequest,
          reply: pb.Rating,
          handle: (req: callctl.v1.RateRequest) => {
            const r = rate(req.quote ?? {}, req.seconds, Number(req.startMs ?? 0));
            return { billedS: r.billedS, amountMicro: r.amountMicro, vatMicro: r.vatMicro, listAmountMicro: r.listAmountMicro };
          },
        },
      ],
    },
    { log: opts.log, tracer: opts.tracer },
  );
}

/** Loads the current document and every later one; a document the schema refuses is logged and skipped. */
export function watchTariffs(kv: KV, engine: TariffEngine, log: Logger) {
  return watchConfig(
    kv,
    (doc, revision) => {
      engine.load(doc, revision);
      log.info({ revision }, "tariff tables rebuilt");
    },
    (err) => log.error({ err }, "tariff configuration refused; keeping the previous tables"),
  );
}
