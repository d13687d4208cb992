// The tariff configuration (top-level keys `tariffs` and `holidays`): one zod schema in the style of
// every service (@callctl/core configdoc). Unknown keys inside these sections are refused; other
// top-level keys belong to other services and pass.
import { parseMoney, ZONE_IDS as ZONES, type ZoneId as Zone } from "@callctl/core";
import { z } from "zod";
import { speakable } from "./announce.ts";

/** Zone ids shared with routing (fixed set). DE_FREEPHONE is always free. */
export { ZONES, type Zone };
export const FREE_ZONES: ReadonlySet<string> = new Set(["DE_FREEPHONE"]);

export const DAY_CLASSES = ["weekday", "weekend", "holiday", "mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type DayClass = (typeof DAY_CLASSES)[number];

/** Money: "3.9ct", "1.29€", "0.039" (euro) or a number of euro -> integer micro-euro, steps of 0.01 cent. */
export function moneyMicro(v: string | number): number {
  const micro = parseMoney(v);
  if (micro < 0 || micro % 100 !== 0) throw new RangeError(`${JSON.stringify(v)}: money must be >= 0 in steps of 0.01 cent`);
  return micro;
}
const okMoney = (v: string | number) => {
  try {
    moneyMicro(v);
    return true;
  } catch {
    return false;
  }
};
// The schema validates without transforming (validating its own output again gives the same
// document, so it can be stored and re-read); ./tables.ts converts the values.
const money = z.union([z.string(), z.number()]).refine(okMoney, 'money like "3.9ct", "1.29€" or euro, >= 0, in steps of 0.01 cent');

/** Billing increments "a/b" (DOMAIN.md §6): first a seconds as one block, then blocks of b seconds. */
export function parseIncrements(s: string): { a: number; b: number } {
  const [a, b] = s.split("/").map(Number) as [number, number];
  return { a, b };
}
const increments = z
  .string()
  .regex(/^\d{1,4}\/\d{1,4}$/, 'increments are "a/b" in seconds, e.g. "60/60"')
  .refine((s) => parseIncrements(s).a >= 1 && parseIncrements(s).b >= 1, "increments must be at least 1 second");

export const minuteOfDay = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a local time "HH:MM" (00:00-24:00)');

const band = z
  .strictObject({
    days: z.array(z.enum(DAY_CLASSES)).min(1).optional(),
    from: hhmm.optional(),
    to: hhmm.optional(),
    price: money,
    connect_fee: money.optional(),
    increments: increments.optional(),
  })
  .refine((b) => (b.from === undefined) === (b.to === undefined), "give both from and to, or neither")
  .refine((b) => b.from === undefined || b.to === undefined || minuteOfDay(b.from) % 1440 !== minuteOfDay(b.to) % 1440, "from and to must differ");

const zone = z
  .strictObject({
    price: money.optional(),
    bands: z.array(band).min(1).optional(),
    connect_fee: money.optional(),
    increments: increments.optional(),
  })
  .refine((zn) => (zn.price === undefined) !== (zn.bands === undefined), "give either price or bands")
  .refine((zn) => {
    const last = zn.bands?.at(-1);
    return !last || (last.days === undefined && last.from === undefined);
  }, "the last band must be the catch-all (no days, no from/to), so every instant has a price");

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)) || /^\d{4}-\d{2}-\d{2}/.test(s), "an ISO time");

const priceList = z.strictObject({
  id: z.string().min(1),
  product: z.string().min(1).default("default"),
  /** ISO time; without an offset it is Europe/Berlin local time. */
  valid_from: isoTime,
  vat_rate_bp: z.number().int().min(0).max(10_000).default(1900),
  increments: increments.default("60/60"), // 004 §7.3: per minute unless the list says otherwise
  connect_fee: money.default("0ct"),
  /** Free to the caller (ad-funded): still rated at these prices for the record. */
  free: z.boolean().default(false),
  zones: z.partialRecord(z.enum(ZONES), zone),
});

const brand = z.strictObject({
  service: z.enum(["carrier_selection", "prepaid", "callback"]),
  unit: z.enum(["cent", "euro", "auto"]).default("cent"),
  price_change_policy: z.enum(["ANNOUNCE_NEW_PRICE", "KEEP_START_PRICE"]).default("ANNOUNCE_NEW_PRICE"),
  charge_delay_ms: z.number().int().min(3000, "TKG §110: charging starts at least 3 s after the announcement").default(3000),
  default_product: z.string().min(1).default("default"),
  price_lists: z.array(priceList).min(1),
});

export const tariffsSchema = z.strictObject({ brands: z.record(z.string().regex(/^[0-9a-z_-]{2,32}$/), brand) });
export const holidaysSchema = z.strictObject({
  national: z.boolean().default(true),
  extra: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
});

export const tariffConfigSchema = z
  .looseObject({ tariffs: tariffsSchema, holidays: holidaysSchema.default({ national: true, extra: [] }) })
  .superRefine((doc, ctx) => {
    for (const [b, br] of Object.entries(doc.tariffs.brands)) {
      const ids = new Set<string>();
      const starts = new Set<string>();
      br.price_lists.forEach((pl, i) => {
        const at = ["tariffs", "brands", b, "price_lists", i];
        if (ids.has(pl.id)) ctx.addIssue({ code: "custom", path: [...at, "id"], message: `duplicate price list id ${pl.id}` });
        ids.add(pl.id);
        if (starts.has(`${pl.product}@${pl.valid_from}`)) ctx.addIssue({ code: "custom", path: [...at, "valid_from"], message: "two price lists of one product start at the same time" });
        starts.add(`${pl.product}@${pl.valid_from}`);
        const check = (path: (string | number)[], incS: string | undefined, amounts: (string | number | undefined)[]) => {
          const inc = incS === undefined ? undefined : parseIncrements(incS);
          // TKG §112(1) sentences 3-4: carrier selection may not bill in blocks longer than 60 s
          if (br.service === "carrier_selection" && inc && (inc.a > 60 || inc.b > 60))
            ctx.addIssue({ code: "custom", path: [...path, "increments"], message: `carrier selection bills in blocks of at most 60 s (TKG §112), got ${inc.a}/${inc.b}` });
          for (const v of amounts) {
            if (v === undefined || !okMoney(v)) continue;
            const m = moneyMicro(v);
            const ok = br.unit === "auto" ? speakable(m, m >= 1_000_000 ? "euro" : "cent") : speakable(m, br.unit);
            if (!ok) ctx.addIssue({ code: "custom", path, message: `${m} micro-euro cannot be announced in ${br.unit}` });
          }
        };
        check(at, pl.increments, [pl.connect_fee]);
        for (const [zn, z0] of Object.entries(pl.zones)) {
          if (!z0) continue;
          const zp = [...at, "zones", zn];
          if (FREE_ZONES.has(zn) && z0.price !== undefined && okMoney(z0.price) && moneyMicro(z0.price) > 0) ctx.addIssue({ code: "custom", path: [...zp, "price"], message: `${zn} is free: no price may be set` });
          check(zp, z0.increments, [z0.price, z0.connect_fee]);
          z0.bands?.forEach((bd, j) => {
            check([...zp, "bands", j], bd.increments, [bd.price, bd.connect_fee]);
          });
        }
      });
    }
  });

export type TariffConfig = z.output<typeof tariffConfigSchema>;
export type BrandConfig = TariffConfig["tariffs"]["brands"][string];
export type PriceListConfig = BrandConfig["price_lists"][number];
export type ZoneConfig = NonNullable<PriceListConfig["zones"][Zone]>;
export type BandConfig = NonNullable<ZoneConfig["bands"]>[number];
