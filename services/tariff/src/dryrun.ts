// Dry runs for the CLI (`callctl quote`, `callctl rate`): the configuration read from YAML, the
// tables built in process, no running service needed.
import { fileURLToPath } from "node:url";
import { formatEuro, loadConfigFile, pb } from "@callctl/core";
import { spoken } from "./prompts/catalog.ts";
import { tariffConfigSchema } from "./config.ts";
import { Quoter, type QuoteResult } from "./quote.ts";
import { rate } from "./rating.ts";
import { Tables } from "./tables.ts";
import { parseBerlinTime } from "./time.ts";
import { zoneForE164 } from "./zone.ts";

export const DEFAULT_CONFIG = fileURLToPath(new URL("../../../infra/config/example", import.meta.url));

export interface DryRunInput {
  brand: string;
  to?: string;
  zone?: string;
  /** ISO time; without an offset Europe/Berlin local time; default now */
  at?: string;
  config?: string;
  product?: string;
}

const iso = (ms: number) => (ms ? new Date(ms).toISOString() : null);

function quoteOf(i: DryRunInput): { quote: QuoteResult; atMs: number } {
  const cfg = loadConfigFile(tariffConfigSchema, i.config || process.env.CALLCTL_CONFIG || DEFAULT_CONFIG);
  const zone = i.zone || (i.to ? zoneForE164(i.to) : "");
  const atMs = i.at ? parseBerlinTime(i.at) : Date.now();
  return { quote: new Quoter(new Tables(cfg)).quote({ brand: i.brand, zone, atMs, product: i.product ?? "" }), atMs };
}

/** The quote as plain JSON (snake_case like the proto, times also as ISO). */
export function dryRunQuote(i: DryRunInput): Record<string, unknown> {
  const { quote: q, atMs } = quoteOf(i);
  return {
    brand: q.brand,
    to: i.to ?? null,
    zone: q.zone,
    at: iso(atMs),
    tariff_id: q.tariffId,
    price_per_min_micro: q.pricePerMinMicro,
    increments: `${q.firstIncrementS}/${q.nextIncrementS}`,
    first_increment_s: q.firstIncrementS,
    next_increment_s: q.nextIncrementS,
    connect_fee_micro: q.connectFeeMicro,
    vat_rate_bp: q.vatRateBp,
    unit: q.unit === pb.PriceUnit.EURO ? "EURO" : "CENT",
    free: q.free,
    announcement_text: q.announcementText,
    announcement_words: spoken(q.playlist),
    playlist: q.playlist,
    announcement_ms: q.announcementMs,
    charge_delay_ms: q.chargeDelayMs,
    valid_from: iso(q.validFromMs),
    valid_until: iso(q.validUntilMs),
    valid_from_ms: q.validFromMs,
    valid_until_ms: q.validUntilMs,
    next_price_per_min_micro: q.nextPricePerMinMicro,
    price_change_policy: q.priceChangePolicy === pb.PriceChangePolicy.KEEP_START_PRICE ? "KEEP_START_PRICE" : "ANNOUNCE_NEW_PRICE",
    next_announcement_text: q.nextAnnouncementText || null,
    next_playlist: q.nextPlaylist,
  };
}

/** Rates `seconds` of billable time starting at `at` with the quote in force then. */
export function dryRunRate(i: DryRunInput & { seconds: number }): Record<string, unknown> {
  const { quote: q, atMs } = quoteOf(i);
  const r = rate(q, i.seconds, atMs);
  return {
    brand: q.brand,
    to: i.to ?? null,
    zone: q.zone,
    at: iso(atMs),
    tariff_id: q.tariffId,
    seconds: i.seconds,
    increments: `${q.firstIncrementS}/${q.nextIncrementS}`,
    price_per_min_micro: q.pricePerMinMicro,
    billed_s: r.billedS,
    amount_micro: r.amountMicro,
    amount: formatEuro(r.amountMicro),
    vat_micro: r.vatMicro,
    vat_rate_bp: q.vatRateBp,
    list_amount_micro: r.listAmountMicro,
    free: q.free,
    valid_until: iso(q.validUntilMs),
    next_price_per_min_micro: q.nextPricePerMinMicro,
  };
}
