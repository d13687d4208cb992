// Quotes: brand + zone + time -> price, increments, connect fee, the announcement, and how long
// this price holds (valid_until = the next price change, with the next price and its announcement).
// The price is constant between two changes, so a quote is computed once per (brand, product,
// zone, period) and served from a small cache until that period ends.
import { ValidationError, pb, type callctl } from "@callctl/core";
import { priceAnnouncement, priceChangeAnnouncement, speakable } from "./announce.ts";
import { ZONES } from "./config.ts";
import { playlistMs } from "./prompts/durations.ts";
import { NoTariffError, type Brand, type PricePoint, type Tables } from "./tables.ts";
import { berlinInstant, berlinLocal, dstTransitions, MS } from "./time.ts";

export interface QuoteInput {
  callId?: string;
  brand: string;
  zone: string;
  atMs: number;
  product?: string;
}

export type QuoteResult = callctl.v1.IQuote & {
  pricePerMinMicro: number;
  firstIncrementS: number;
  nextIncrementS: number;
  connectFeeMicro: number;
  vatRateBp: number;
  validFromMs: number;
  validUntilMs: number;
  nextPricePerMinMicro: number;
  chargeDelayMs: number;
  announcementMs: number;
  playlist: string[];
  nextPlaylist: string[];
  free: boolean;
  priceChangePolicy: callctl.v1.PriceChangePolicy;
};

const ZONE_SET: ReadonlySet<string> = new Set(ZONES);
const WINDOW_BACK = 8 * MS.DAY;
const WINDOW_AHEAD = 8 * MS.DAY;

/** Instants at which the price of brand/zone may change, around `at`: band edges, midnights, DST changes, list starts. */
function candidates(brand: Brand, zone: string, at: number): number[] {
  const out = new Set<number>(brand.listStarts);
  const edges = brand.edges.get(zone) ?? [0];
  const l = berlinLocal(at);
  const day0 = Date.UTC(l.year, l.month - 1, l.day);
  for (let d = -WINDOW_BACK; d <= WINDOW_AHEAD; d += MS.DAY) for (const m of edges) out.add(berlinInstant(day0 + d, m));
  for (const t of dstTransitions(at - WINDOW_BACK, at + WINDOW_AHEAD)) out.add(t);
  return [...out].sort((x, y) => x - y);
}

interface Period {
  from: number;
  until: number; // 0 = no change known
  point: PricePoint;
  next: PricePoint | undefined;
}

export function period(tables: Tables, brand: Brand, product: string, zone: string, at: number): Period {
  const point = tables.priceAt(brand, product, zone, at);
  if (!point) throw new NoTariffError(`brand ${brand.id} has no price for ${product}/${zone} at ${new Date(at).toISOString()}`, { brand: brand.id, zone, product });
  const cs = candidates(brand, zone, at);
  let until = 0;
  let next: PricePoint | undefined;
  for (const c of cs) {
    if (c <= at) continue;
    const p = tables.priceAt(brand, product, zone, c);
    if (p?.key !== point.key) {
      until = c;
      next = p;
      break;
    }
  }
  let from = Math.max(at - WINDOW_BACK, cs[0] ?? at);
  for (let i = cs.length - 1; i >= 0; i--) {
    const c = cs[i]!;
    if (c > at) continue;
    if (tables.priceAt(brand, product, zone, c - 1)?.key !== point.key) {
      from = c;
      break;
    }
  }
  return { from, until, point, next };
}

const POLICY = { ANNOUNCE_NEW_PRICE: pb.PriceChangePolicy.ANNOUNCE_NEW_PRICE, KEEP_START_PRICE: pb.PriceChangePolicy.KEEP_START_PRICE } as const;

function build(tables: Tables, brand: Brand, product: string, zone: string, at: number): QuoteResult {
  const p = period(tables, brand, product, zone, at);
  const pt = p.point;
  const ann = priceAnnouncement({ pricePerMinMicro: pt.pricePerMinMicro, connectFeeMicro: pt.connectFeeMicro, unit: brand.unit, chargeDelayMs: brand.chargeDelayMs, free: pt.free });
  let nextPlaylist: string[] = [];
  let nextText = "";
  const next = p.next;
  if (next && brand.policy === "ANNOUNCE_NEW_PRICE" && !next.free && (next.pricePerMinMicro !== pt.pricePerMinMicro || pt.free)) {
    const unit = speakable(next.pricePerMinMicro, ann.unit) ? ann.unit : next.pricePerMinMicro >= 1_000_000 ? "euro" : "cent";
    const change = priceChangeAnnouncement(berlinLocal(p.until).minute, next.pricePerMinMicro, unit);
    nextPlaylist = change.playlist;
    nextText = change.text;
  }
  return {
    callId: "",
    brand: brand.id,
    zone,
    tariffId: pt.listId,
    pricePerMinMicro: pt.pricePerMinMicro,
    firstIncrementS: pt.a,
    nextIncrementS: pt.b,
    connectFeeMicro: pt.connectFeeMicro,
    vatRateBp: pt.vatRateBp,
    unit: ann.unit === "euro" ? pb.PriceUnit.EURO : pb.PriceUnit.CENT,
    announcementText: ann.text,
    playlist: ann.playlist,
    announcementMs: playlistMs(ann.playlist),
    chargeDelayMs: brand.chargeDelayMs,
    validFromMs: p.from,
    validUntilMs: p.until,
    nextPricePerMinMicro: next ? next.pricePerMinMicro : pt.pricePerMinMicro, // no later tariff: the start price holds
    priceChangePolicy: POLICY[brand.policy],
    nextPlaylist,
    nextAnnouncementText: nextText,
    free: pt.free,
  };
}

interface Cached {
  from: number;
  until: number;
  quote: QuoteResult;
}

/** Quotes from one set of tables; a new configuration builds a new Quoter (and so a fresh cache). */
export class Quoter {
  readonly tables: Tables;
  readonly #cache = new Map<string, Cached[]>();
  constructor(tables: Tables) {
    this.tables = tables;
  }

  quote(req: QuoteInput): QuoteResult {
    if (!ZONE_SET.has(req.zone)) throw new ValidationError(`unknown zone ${JSON.stringify(req.zone)}`, { zone: req.zone });
    if (!Number.isSafeInteger(req.atMs) || req.atMs <= 0) throw new ValidationError("at_ms must be an epoch time in ms", { at_ms: String(req.atMs) });
    const brand = this.tables.brand(req.brand);
    const product = req.product || brand.defaultProduct;
    const key = `${req.brand}\u0000${product}\u0000${req.zone}`;
    let entries = this.#cache.get(key);
    if (entries) {
      for (const e of entries) if (req.atMs >= e.from && (e.until === 0 || req.atMs < e.until)) return { ...e.quote, callId: req.callId ?? "" };
    } else {
      entries = [];
      this.#cache.set(key, entries);
    }
    const quote = build(this.tables, brand, product, req.zone, req.atMs);
    entries.unshift({ from: quote.validFromMs, until: quote.validUntilMs, quote });
    if (entries.length > 4) entries.pop();
    return { ...quote, callId: req.callId ?? "" };
  }
}
