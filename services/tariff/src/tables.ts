// In-memory tariff tables compiled from a validated configuration document: per brand and product
// the price lists sorted by start, per zone the time bands, and the price in force at any instant.
// Built once per configuration change and swapped as one reference (ARCHITECTURE.md "hot data").
import { CallctlError } from "@callctl/core";
import type { UnitPreference } from "./announce.ts";
import { FREE_ZONES, minuteOfDay, moneyMicro, parseIncrements, type BandConfig, type BrandConfig, type DayClass, type TariffConfig, type ZoneConfig } from "./config.ts";
import { berlinLocal, germanHolidays, parseBerlinTime, type LocalTime } from "./time.ts";

/** No price list, product or zone price for a quote. */
export class NoTariffError extends CallctlError {
  constructor(message: string, details: Record<string, string> = {}) {
    super("NO_TARIFF", message, { details });
  }
}

/** The price in force at one instant. Two points with equal `key` cost the same. */
export interface PricePoint {
  listId: string;
  pricePerMinMicro: number;
  connectFeeMicro: number;
  a: number;
  b: number;
  vatRateBp: number;
  free: boolean;
  key: string;
}

interface Band {
  dayMask: number; // 0 = every day
  from: number; // minutes since local midnight, -1 = all day
  to: number;
  point: PricePoint;
}

interface List {
  id: string;
  fromMs: number;
  zones: Map<string, Band[]>;
}

export interface Brand {
  id: string;
  service: BrandConfig["service"];
  unit: UnitPreference;
  policy: BrandConfig["price_change_policy"];
  chargeDelayMs: number;
  defaultProduct: string;
  /** per product, sorted by start */
  products: Map<string, List[]>;
  /** per zone: every local minute at which some band of some list starts or ends */
  edges: Map<string, number[]>;
  /** every price-list start */
  listStarts: number[];
}

// day classes as bits; "weekday" = Mon-Fri and not a holiday, "holiday" = a public holiday
const DOW = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const BIT: Record<DayClass, number> = { weekday: 1, weekend: 2, holiday: 4, sun: 8, mon: 16, tue: 32, wed: 64, thu: 128, fri: 256, sat: 512 };

export class Tables {
  readonly brands = new Map<string, Brand>();
  readonly #holidays = new Map<number, Set<string>>();
  readonly #national: boolean;
  readonly #extra: Set<string>;

  constructor(cfg: TariffConfig) {
    this.#national = cfg.holidays.national;
    this.#extra = new Set(cfg.holidays.extra);
    for (const [id, b] of Object.entries(cfg.tariffs.brands)) this.brands.set(id, compileBrand(id, b));
  }

  isHoliday(l: LocalTime): boolean {
    let s = this.#holidays.get(l.year);
    if (!s) {
      s = new Set(this.#national ? germanHolidays(l.year) : []);
      this.#holidays.set(l.year, s);
    }
    return s.has(l.date) || this.#extra.has(l.date);
  }

  dayBits(l: LocalTime): number {
    const holiday = this.isHoliday(l);
    const weekend = l.dow === 0 || l.dow === 6;
    return BIT[DOW[l.dow]!] | (holiday ? BIT.holiday : 0) | (weekend ? BIT.weekend : holiday ? 0 : BIT.weekday);
  }

  brand(id: string): Brand {
    const b = this.brands.get(id);
    if (!b) throw new NoTariffError(`no tariff for brand ${id}`, { brand: id });
    return b;
  }

  /** The price list of a product in force at an instant (the latest that has started). */
  list(brand: Brand, product: string, ms: number): List | undefined {
    // a product without lists of its own (e.g. "call-by-call") uses the brand's default product
    const lists = brand.products.get(product) ?? brand.products.get(brand.defaultProduct);
    if (!lists) throw new NoTariffError(`brand ${brand.id} has no product ${product}`, { brand: brand.id, product });
    let found: List | undefined;
    for (const l of lists) {
      if (l.fromMs > ms) break;
      found = l;
    }
    return found;
  }

  /** The price in force for brand/product/zone at an instant, or undefined when there is none. */
  priceAt(brand: Brand, product: string, zone: string, ms: number): PricePoint | undefined {
    const list = this.list(brand, product, ms);
    const bands = list?.zones.get(zone);
    if (!bands) return undefined;
    const l = berlinLocal(ms);
    const bits = this.dayBits(l);
    for (const band of bands) {
      if (band.dayMask !== 0 && (band.dayMask & bits) === 0) continue;
      if (band.from >= 0) {
        const inside = band.from < band.to ? l.minute >= band.from && l.minute < band.to : l.minute >= band.from || l.minute < band.to;
        if (!inside) continue;
      }
      return band.point;
    }
    return undefined;
  }
}

function compileBrand(id: string, b: BrandConfig): Brand {
  const products = new Map<string, List[]>();
  const edges = new Map<string, Set<number>>();
  for (const pl of b.price_lists) {
    const zones = new Map<string, Band[]>();
    const entries = Object.entries(pl.zones) as [string, ZoneConfig | undefined][];
    for (const zn of FREE_ZONES) if (!pl.zones[zn as keyof typeof pl.zones]) entries.push([zn, { price: 0 }]);
    for (const [zn, z] of entries) {
      if (!z) continue;
      const free = pl.free || FREE_ZONES.has(zn);
      const mk = (src: Partial<BandConfig> & { price: string | number }): Band => {
        const inc = parseIncrements(src.increments ?? z.increments ?? pl.increments);
        const price = FREE_ZONES.has(zn) ? 0 : moneyMicro(src.price);
        const fee = FREE_ZONES.has(zn) ? 0 : moneyMicro(src.connect_fee ?? z.connect_fee ?? pl.connect_fee);
        const point: PricePoint = { listId: pl.id, pricePerMinMicro: price, connectFeeMicro: fee, a: inc.a, b: inc.b, vatRateBp: pl.vat_rate_bp, free, key: "" };
        point.key = `${price}|${fee}|${inc.a}/${inc.b}|${pl.vat_rate_bp}|${free}`;
        const dayMask = (src.days ?? []).reduce((m, d) => m | BIT[d], 0);
        const from = src.from === undefined ? -1 : minuteOfDay(src.from);
        const to = src.to === undefined ? -1 : minuteOfDay(src.to) % 1440;
        const e = edges.get(zn) ?? new Set<number>();
        if (from >= 0) e.add(from).add(to);
        edges.set(zn, e);
        return { dayMask, from, to, point };
      };
      zones.set(zn, z.bands ? z.bands.map(mk) : [mk({ price: z.price ?? 0 })]);
    }
    const list: List = { id: pl.id, fromMs: parseBerlinTime(pl.valid_from), zones };
    const arr = products.get(pl.product) ?? [];
    arr.push(list);
    products.set(pl.product, arr);
  }
  for (const arr of products.values()) arr.sort((x, y) => x.fromMs - y.fromMs);
  const listStarts = [...new Set([...products.values()].flat().map((l) => l.fromMs))].sort((x, y) => x - y);
  return {
    id,
    service: b.service,
    unit: b.unit,
    policy: b.price_change_policy,
    chargeDelayMs: b.charge_delay_ms,
    defaultProduct: b.default_product,
    products,
    edges: new Map([...edges].map(([k, v]) => [k, [...v, 0].filter((x, i, a) => a.indexOf(x) === i).sort((x, y) => x - y)])),
    listStarts,
  };
}
