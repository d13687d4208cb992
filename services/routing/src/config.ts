// The routing part of the configuration document (infra/config/example/*.yaml): the top-level
// keys this service owns. Unknown top-level keys belong to other services and pass; unknown keys
// inside these sections are refused, and every cross-reference is checked, so a bad file is
// refused with file, path and reason (validateConfig from @callctl/core) before it reaches KV.
import { z } from "zod";
import { ZONE_IDS } from "@callctl/core";

/** Zone ids shared with tariff and credit: one list in @callctl/core. */
export { ZONE_IDS, type ZoneId } from "@callctl/core";

/** A zone-deck entry may name a region; the number type then picks `<REGION>_FIXED|_MOBILE`. */
export const REGIONS = ["DE", "EU", "NA", "TR", "WORLD"] as const;

export const NUMBER_TYPES = [
  "FIXED",
  "MOBILE",
  "PREMIUM",
  "SHARED_COST",
  "FREEPHONE",
  "PERSONAL",
  "MASS_TRAFFIC",
  "DIRECTORY",
  "ONLINE",
  "NATIONAL_SUBSCRIBER",
  "CLOSED_USER_GROUP",
  "TEST",
  "INNOVATIVE",
  "EMERGENCY",
  "HARMONISED",
  "UNKNOWN",
  "FIXED_OR_MOBILE",
] as const;
export type NumberTypeName = (typeof NUMBER_TYPES)[number];

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,47}$/, "must be 1-48 of a-z 0-9 . _ - (lower case)");
const iso2 = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as AT");
const numberType = z.enum(NUMBER_TYPES);
const e164Prefix = z.string().regex(/^\d{1,15}$/, "must be 1-15 digits (E.164 prefix without '+')");
export const MAX_MICRO = 100_000_000;

const numberPlanSchema = z.strictObject({
  version: z.string().min(1),
  source: z.string().optional(),
  // national significant number prefixes (after the trunk 0 / country code 49), DOMAIN.md §1.2
  ranges: z
    .array(
      z.strictObject({
        prefix: z.string().regex(/^\d{1,6}$/, "must be 1-6 digits without the trunk 0"),
        type: numberType,
        minLength: z.number().int().min(2).max(13),
        maxLength: z.number().int().min(2).max(13),
        description: z.string().optional(),
      }),
    )
    .min(1),
  // geographic area codes (Ortsnetzkennzahlen) without the trunk 0; a prefix code
  areaCodes: z.array(z.string().regex(/^[2-9]\d{1,4}$/, "must be a 2-5 digit area code without the trunk 0")),
});

const brandSchema = z.strictObject({
  name: z.string().min(1),
  carrierCode: z
    .string()
    .regex(/^010(0\d\d|[1-9]\d)$/, "must be a carrier-selection code 010xy (x 1-9) or 0100xy (DOMAIN.md §1.1)")
    .nullable()
    .default(null),
  products: z.array(id).min(1),
  defaultProduct: id.optional(),
  zoneDeck: id,
  trunks: z.array(id).optional(),
  blocks: z.array(id).default([]),
  allowGroups: z.array(id).default([]),
  // 110/112/115/116xyz dialed with this brand's code: routed free of charge (cost 0, zone
  // DE_FREEPHONE) to this trunk instead of REJECT EMERGENCY_NUMBER / HARMONISED_NUMBER, the
  // default (DOMAIN.md §1.3: the access network routes them). Optional, so documents without it
  // keep their config version.
  emergencyTrunk: id.optional(),
});

const productSchema = z.strictObject({
  description: z.string().optional(),
  account: z.enum(["cli", "registered", "request"]),
  allowedDestinations: z
    .strictObject({
      national: z.array(numberType).default([]),
      countries: z.array(iso2).default([]),
      internationalTypes: z.array(numberType).default(["FIXED", "MOBILE", "FIXED_OR_MOBILE"]),
    })
    .optional(),
});

const trunkSchema = z.strictObject({
  description: z.string().optional(),
  gateway: z.string().regex(/^gw-[a-z0-9-]{1,40}$/, "must be gw-<id>"),
  rateDeck: id,
  timeoutMs: z.number().int().min(1000).max(180_000).optional(),
  techPrefix: z.string().regex(/^[0-9#*]{0,8}$/).default(""),
  enabled: z.boolean().default(true),
});

const groupSchema = z
  .strictObject({
    description: z.string().default(""),
    numberTypes: z.array(numberType).default([]),
    countries: z.array(iso2).default([]),
    exceptCountries: z.array(iso2).default([]),
    prefixes: z.array(e164Prefix).default([]),
  })
  .refine((g) => g.numberTypes.length + g.countries.length + g.prefixes.length > 0, "a block group needs numberTypes, countries or prefixes");

const healthSchema = z.strictObject({
  window: z.number().int().min(5).max(10_000).default(100),
  minSamples: z.number().int().min(1).max(10_000).default(20),
  nerThreshold: z.number().min(0).max(1).default(0.9),
  openMs: z.number().int().min(100).max(3_600_000).default(30_000),
  probeIntervalMs: z.number().int().min(10).max(600_000).default(5_000),
  probeSuccesses: z.number().int().min(1).max(100).default(3),
});

const sections = {
  numberPlan: numberPlanSchema,
  brands: z.record(id, brandSchema).refine((b) => Object.keys(b).length > 0, "at least one brand"),
  products: z.record(id, productSchema),
  trunks: z.record(id, trunkSchema),
  rateDecks: z.record(id, z.strictObject({ version: z.string().min(1), rates: z.custom<Record<string, number>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), "must be a mapping of prefix to micro-euro per minute") })),
  zoneDecks: z.record(id, z.strictObject({ version: z.string().min(1), zones: z.record(z.string(), z.enum([...REGIONS, ...ZONE_IDS])) })),
  blockGroups: z.strictObject({
    global: z.array(id).default([]),
    criticalCountries: z.array(iso2).default([]),
    groups: z.record(id, groupSchema),
  }),
  subscribers: z.record(z.string(), z.strictObject({ account: z.string().min(1).max(64), products: z.array(id).default([]), barring: z.array(id).default([]) })).default({}),
  lcr: z
    .strictObject({
      maxCandidates: z.number().int().min(1).max(10).default(3),
      timeoutMs: z.number().int().min(1000).max(180_000).default(45_000),
      health: healthSchema.default(healthSchema.parse({})),
    })
    .default({ maxCandidates: 3, timeoutMs: 45_000, health: healthSchema.parse({}) }),
};

export const routingConfigSchema = z.looseObject(sections).superRefine((c, ctx) => {
  const bad = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const refs = (list: string[], path: (string | number)[], known: Record<string, unknown>, what: string) => {
    for (let i = 0; i < list.length; i++) if (!known[list[i]!]) bad([...path, i], `unknown ${what} ${list[i]}`);
  };
  const codes = new Map<string, string>();
  for (const [bid, b] of Object.entries(c.brands)) {
    if (b.carrierCode) {
      const other = codes.get(b.carrierCode);
      if (other) bad(["brands", bid, "carrierCode"], `${b.carrierCode} is already brand ${other}'s`);
      codes.set(b.carrierCode, bid);
    }
    refs(b.products, ["brands", bid, "products"], c.products, "product");
    if (b.defaultProduct && !b.products.includes(b.defaultProduct)) bad(["brands", bid, "defaultProduct"], `${b.defaultProduct} is not in this brand's products`);
    if (!c.zoneDecks[b.zoneDeck]) bad(["brands", bid, "zoneDeck"], `unknown zone deck ${b.zoneDeck}`);
    refs(b.trunks ?? [], ["brands", bid, "trunks"], c.trunks, "trunk");
    if (b.emergencyTrunk && !c.trunks[b.emergencyTrunk]) bad(["brands", bid, "emergencyTrunk"], `unknown trunk ${b.emergencyTrunk}`);
    refs(b.blocks, ["brands", bid, "blocks"], c.blockGroups.groups, "block group");
    const global = Object.fromEntries(c.blockGroups.global.map((g) => [g, true]));
    refs(b.allowGroups, ["brands", bid, "allowGroups"], global, "global block group");
  }
  for (const [tid, t] of Object.entries(c.trunks)) if (!c.rateDecks[t.rateDeck]) bad(["trunks", tid, "rateDeck"], `unknown rate deck ${t.rateDeck}`);
  refs(c.blockGroups.global, ["blockGroups", "global"], c.blockGroups.groups, "block group");
  // record keys are checked here so that the reason names the rule (zod only says "Invalid key")
  const keys = (rec: Record<string, unknown>, path: string[], re: RegExp, rule: string) => {
    for (const k of Object.keys(rec)) if (!re.test(k)) bad([...path, k], rule);
  };
  // rate decks may hold a million prefixes: one plain loop instead of a zod schema per entry
  for (const [id, d] of Object.entries(c.rateDecks)) {
    for (const k in d.rates) {
      const v = d.rates[k]!;
      if (!/^\d{0,15}$/.test(k)) bad(["rateDecks", id, "rates", k], 'a rate prefix is 0-15 digits ("" = any destination)');
      else if (!Number.isInteger(v) || v < 0 || v > MAX_MICRO) bad(["rateDecks", id, "rates", k], `must be a whole number of micro-euro per minute, 0-${MAX_MICRO}`);
    }
  }
  for (const [id, d] of Object.entries(c.zoneDecks)) keys(d.zones, ["zoneDecks", id, "zones"], /^\d{0,15}$/, 'a zone prefix is 0-15 digits ("" = any destination)');
  keys(c.subscribers, ["subscribers"], /^[1-9]\d{6,14}$/, "a subscriber key is the CLI in E.164 without '+'");
  for (const [cli, s] of Object.entries(c.subscribers)) {
    refs(s.products, ["subscribers", cli, "products"], c.products, "product");
    refs(s.barring, ["subscribers", cli, "barring"], c.blockGroups.groups, "block group");
  }
  for (const [i, r] of c.numberPlan.ranges.entries()) {
    if (r.minLength > r.maxLength) bad(["numberPlan", "ranges", i, "minLength"], "minLength is greater than maxLength");
    if (r.prefix.length > r.maxLength) bad(["numberPlan", "ranges", i, "prefix"], "prefix is longer than maxLength");
  }
});

export type RoutingConfig = z.output<typeof routingConfigSchema>;
