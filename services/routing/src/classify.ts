// Destination classification: German numbers from the number-range catalogue, international ones
// fixed vs mobile by the destination country's numbering plan through libphonenumber-js with the
// full ("max") metadata (seed 004 §3.7, DOMAIN.md §2). Zones by longest prefix in a zone deck.
import { parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js/max";
import type { NumberTypeName, ZoneId } from "./config.ts";
import type { NumberPlan } from "./numberplan.ts";
import type { RejectReason } from "./reasons.ts";

export type Classified = { ok: true; e164: string; country: string; type: NumberTypeName } | { ok: false; reason: RejectReason; detail: string; country?: string; type?: NumberTypeName };

const LIB_TYPES: Record<string, NumberTypeName> = {
  FIXED_LINE: "FIXED",
  MOBILE: "MOBILE",
  FIXED_LINE_OR_MOBILE: "FIXED_OR_MOBILE", // NANP: fixed and mobile share blocks (DOMAIN.md §2)
  TOLL_FREE: "FREEPHONE",
  PREMIUM_RATE: "PREMIUM",
  SHARED_COST: "SHARED_COST",
  VOIP: "NATIONAL_SUBSCRIBER",
  PERSONAL_NUMBER: "PERSONAL",
  PAGER: "MOBILE",
  UAN: "SHARED_COST",
  VOICEMAIL: "MOBILE",
};

/** Non-geographic country codes (satellite, international networks) have no ISO country. */
export const NON_GEOGRAPHIC_COUNTRY = "ZZ";

/**
 * libphonenumber costs ~15 µs a number; the result for one E.164 number never changes while the
 * library version is pinned, so results are memoised in a bounded map (cleared when full).
 */
export class InternationalClassifier {
  #cache = new Map<string, Classified>();
  readonly capacity: number;

  constructor(capacity = 200_000) {
    this.capacity = capacity;
  }

  classify(e164: string): Classified {
    const hit = this.#cache.get(e164);
    if (hit) return hit;
    const c = classifyInternational(e164);
    if (this.#cache.size >= this.capacity) this.#cache.clear();
    this.#cache.set(e164, c);
    return c;
  }
}

export function classifyInternational(e164: string): Classified {
  const plus = `+${e164}`;
  const len = validatePhoneNumberLength(plus);
  if (len === "INVALID_COUNTRY") return { ok: false, reason: "INVALID_COUNTRY_CODE", detail: `no country code at the start of +${e164.slice(0, 3)}` };
  if (len === "TOO_SHORT" || len === "NOT_A_NUMBER") return { ok: false, reason: "NUMBER_TOO_SHORT", detail: `+${e164} is too short for its country` };
  if (len === "TOO_LONG") return { ok: false, reason: "NUMBER_TOO_LONG", detail: `+${e164} is too long for its country` };
  const p = parsePhoneNumberFromString(plus);
  if (!p) return { ok: false, reason: "INVALID_COUNTRY_CODE", detail: `+${e164} has no known country code` };
  const country = p.country ?? NON_GEOGRAPHIC_COUNTRY;
  if (!p.isValid()) return { ok: false, reason: "UNALLOCATED_NUMBER", detail: `+${e164} is not a valid number in ${country}'s numbering plan` };
  const t = p.getType();
  return { ok: true, e164, country, type: (t && LIB_TYPES[t]) ?? "UNKNOWN" };
}

/** A German number (E.164 starting 49) through the catalogue. */
export function classifyGerman(plan: NumberPlan, e164: string): Classified {
  const nsn = e164.slice(2);
  const r = plan.classify(nsn);
  if (!r.ok) return { ok: false, reason: r.reason, detail: r.detail, country: "DE", type: r.type };
  return { ok: true, e164, country: "DE", type: r.type };
}

const DE_ZONES: Partial<Record<NumberTypeName, ZoneId>> = {
  FIXED: "DE_FIXED",
  FIXED_OR_MOBILE: "DE_FIXED",
  MOBILE: "DE_MOBILE",
  NATIONAL_SUBSCRIBER: "DE_NATSUB",
  SHARED_COST: "DE_SERVICE",
  FREEPHONE: "DE_FREEPHONE",
};

// the region entries of a zone deck and their fixed/mobile zones (built once, no string per call)
const REGION_ZONES: Record<string, { fixed: ZoneId; mobile: ZoneId } | undefined> = Object.assign(
  Object.create(null),
  Object.fromEntries((["EU", "NA", "TR", "WORLD"] as const).map((r) => [r, { fixed: `${r}_FIXED` as ZoneId, mobile: `${r}_MOBILE` as ZoneId }])),
);

/**
 * The zone of a classified number given the zone-deck entry that matched: a zone id is taken as
 * is, a region picks fixed or mobile by number type. `null` = the deck does not price it.
 */
export function zoneOf(entry: string | undefined, type: NumberTypeName, local: boolean): ZoneId | null {
  if (!entry) return null;
  if (entry === "DE") {
    if (local && type === "FIXED") return "DE_LOCAL";
    return DE_ZONES[type] ?? null;
  }
  const r = REGION_ZONES[entry];
  if (r) {
    if (type === "FIXED" || type === "FIXED_OR_MOBILE") return r.fixed;
    if (type === "MOBILE") return r.mobile;
    return null;
  }
  return entry as ZoneId;
}
