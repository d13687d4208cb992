// Compiles a validated configuration into the in-memory tables a decision reads. A Tables object
// is immutable once built; the router swaps one reference, so no call ever sees half a table.
import { createHash } from "node:crypto";
import { loadConfigFile } from "@callctl/core";
import { NUMBER_TYPES, routingConfigSchema, type NumberTypeName, type RoutingConfig } from "./config.ts";
import { NumberPlan } from "./numberplan.ts";
import { PackedPrefixTable } from "./packed.ts";
import { PrefixTable } from "./prefix.ts";

export const TYPE_BIT = Object.fromEntries(NUMBER_TYPES.map((t, i) => [t, 1 << i])) as Record<NumberTypeName, number>;
export const TYPE_INDEX = Object.fromEntries(NUMBER_TYPES.map((t, i) => [t, i])) as Record<NumberTypeName, number>;

/** Per number type (TYPE_INDEX), the groups that can match that type, in their order: a decision checks only those. */
export function groupsByType(groups: GroupT[]): GroupT[][] {
  return NUMBER_TYPES.map((t) => groups.filter((g) => g.typeMask === 0 || (g.typeMask & TYPE_BIT[t]) !== 0));
}

export interface GroupT {
  id: string;
  description: string;
  typeMask: number; // 0 = any type
  countries: Set<string> | null;
  except: Set<string> | null;
  prefixes: PrefixTable | null;
  raw: RoutingConfig["blockGroups"]["groups"][string];
}

export interface TrunkT {
  id: string;
  gateway: string;
  deck: PackedPrefixTable; // E.164 prefix -> micro-euro per minute
  deckId: string;
  timeoutMs: number;
  techPrefix: string;
}

export interface ProductT {
  id: string;
  account: "cli" | "registered" | "request";
  allowed: { nationalMask: number; countries: Set<string>; intlMask: number } | null;
}

export interface BrandT {
  id: string;
  name: string;
  carrierCode: string;
  products: Set<string>;
  defaultProduct: string;
  zones: PrefixTable; // E.164 prefix -> index into zoneValues
  zoneValues: string[];
  trunks: TrunkT[];
  globalBlocks: GroupT[]; // global groups minus the brand's allowGroups
  brandBlocks: GroupT[];
  emergencyTrunk: TrunkT | null; // config emergencyTrunk (when enabled): 11x routed free of charge
  globalByType: GroupT[][]; // groupsByType(globalBlocks)
  brandByType: GroupT[][];
}

export interface SubscriberT {
  cli: string;
  account: string;
  products: Set<string>;
  barring: GroupT[];
  barringByType: GroupT[][];
}

export interface Tables {
  version: string;
  plan: NumberPlan;
  brandsByCode: Map<string, BrandT>;
  brandsByProduct: Map<string, BrandT>; // brands without a carrier code, by product
  brands: Map<string, BrandT>;
  products: Map<string, ProductT>;
  subscribersByCli: Map<string, SubscriberT>;
  subscribersByAccount: Map<string, SubscriberT>;
  groups: Map<string, GroupT>;
  globalGroupIds: string[];
  critical: Set<string>;
  lcr: RoutingConfig["lcr"];
  config: RoutingConfig;
}

const maskOf = (types: readonly NumberTypeName[]) => types.reduce((m, t) => m | TYPE_BIT[t], 0);

export function groupMatches(g: GroupT, e164: string, country: string, type: NumberTypeName): boolean {
  if (g.typeMask !== 0 && (g.typeMask & TYPE_BIT[type]) === 0) return false;
  if (g.countries && !g.countries.has(country)) return false;
  if (g.except?.has(country)) return false;
  if (g.prefixes && g.prefixes.lookup(e164) < 0) return false;
  return true;
}

/** A short content hash plus the number-plan version: what `config_version` reports. */
export function configVersion(config: RoutingConfig, revision?: number): string {
  const h = createHash("sha256");
  for (const k of ["numberPlan", "brands", "products", "trunks", "zoneDecks", "blockGroups", "subscribers", "lcr"] as const) h.update(JSON.stringify(config[k]));
  for (const [id, d] of Object.entries(config.rateDecks)) h.update(`${id}:${d.version}`);
  return `${revision === undefined ? "" : `r${revision}-`}${config.numberPlan.version}-${h.digest("hex").slice(0, 10)}`;
}

/** One rate deck as a packed prefix table (prefix -> micro-euro per minute). */
export function compileDeck(rates: Record<string, number>): PackedPrefixTable {
  const entries = Object.entries(rates);
  return PackedPrefixTable.from(entries, Math.max(256, entries.length * 2));
}

/**
 * Compiles a validated configuration. `decks` are rate decks already compiled elsewhere (a worker,
 * offthread.ts); the others are compiled here. `previous` tables lend their number plan when the
 * configuration carries the very same numberPlan object (offthread.ts reuses it on a deck update).
 */
export function compile(config: RoutingConfig, revision?: number, decks: Map<string, PackedPrefixTable> = new Map(), previous?: Pick<Tables, "config" | "plan">): Tables {
  const groups = new Map<string, GroupT>();
  for (const [id, g] of Object.entries(config.blockGroups.groups)) {
    let prefixes: PrefixTable | null = null;
    if (g.prefixes.length) {
      prefixes = new PrefixTable(64);
      for (const p of g.prefixes) prefixes.set(p, 1);
    }
    groups.set(id, { id, description: g.description, typeMask: maskOf(g.numberTypes), countries: g.countries.length ? new Set(g.countries) : null, except: g.exceptCountries.length ? new Set(g.exceptCountries) : null, prefixes, raw: g });
  }
  for (const [id, d] of Object.entries(config.rateDecks)) if (!decks.has(id)) decks.set(id, compileDeck(d.rates));
  const trunks = new Map<string, TrunkT>();
  for (const [id, t] of Object.entries(config.trunks)) {
    if (!t.enabled) continue;
    trunks.set(id, { id, gateway: t.gateway, deck: decks.get(t.rateDeck)!, deckId: t.rateDeck, timeoutMs: t.timeoutMs ?? config.lcr.timeoutMs, techPrefix: t.techPrefix });
  }
  const products = new Map<string, ProductT>();
  for (const [id, p] of Object.entries(config.products)) {
    const a = p.allowedDestinations;
    products.set(id, { id, account: p.account, allowed: a ? { nationalMask: maskOf(a.national), countries: new Set(a.countries), intlMask: maskOf(a.internationalTypes) } : null });
  }
  const zoneDecks = new Map<string, { table: PrefixTable; values: string[] }>();
  for (const [id, z] of Object.entries(config.zoneDecks)) {
    const values: string[] = [];
    const table = new PrefixTable(1024);
    for (const [p, v] of Object.entries(z.zones)) {
      let i = values.indexOf(v);
      if (i < 0) i = values.push(v) - 1;
      table.set(p, i);
    }
    zoneDecks.set(id, { table, values });
  }
  const brands = new Map<string, BrandT>();
  const brandsByCode = new Map<string, BrandT>();
  const brandsByProduct = new Map<string, BrandT>();
  for (const [id, b] of Object.entries(config.brands)) {
    const zd = zoneDecks.get(b.zoneDeck)!;
    const brand: BrandT = {
      id,
      name: b.name,
      carrierCode: b.carrierCode ?? "",
      products: new Set(b.products),
      defaultProduct: b.defaultProduct ?? b.products[0]!,
      zones: zd.table,
      zoneValues: zd.values,
      trunks: (b.trunks ?? Object.keys(config.trunks)).flatMap((t) => (trunks.has(t) ? [trunks.get(t)!] : [])),
      globalBlocks: config.blockGroups.global.filter((g) => !b.allowGroups.includes(g)).map((g) => groups.get(g)!),
      brandBlocks: b.blocks.map((g) => groups.get(g)!),
      emergencyTrunk: (b.emergencyTrunk && trunks.get(b.emergencyTrunk)) || null,
      globalByType: [],
      brandByType: [],
    };
    brand.globalByType = groupsByType(brand.globalBlocks);
    brand.brandByType = groupsByType(brand.brandBlocks);
    brands.set(id, brand);
    if (brand.carrierCode) brandsByCode.set(brand.carrierCode, brand);
    else for (const p of b.products) if (!brandsByProduct.has(p)) brandsByProduct.set(p, brand);
  }
  const subscribersByCli = new Map<string, SubscriberT>();
  const subscribersByAccount = new Map<string, SubscriberT>();
  for (const [cli, s] of Object.entries(config.subscribers)) {
    const barring = s.barring.map((g) => groups.get(g)!);
    const sub: SubscriberT = { cli, account: s.account, products: new Set(s.products), barring, barringByType: groupsByType(barring) };
    subscribersByCli.set(cli, sub);
    subscribersByAccount.set(s.account, sub);
  }
  return {
    version: configVersion(config, revision),
    plan: previous?.config.numberPlan === config.numberPlan ? previous.plan : new NumberPlan(config.numberPlan),
    brandsByCode,
    brandsByProduct,
    brands,
    products,
    subscribersByCli,
    subscribersByAccount,
    groups,
    globalGroupIds: config.blockGroups.global,
    critical: new Set(config.blockGroups.criticalCountries),
    lcr: config.lcr,
    config,
  };
}

/** Reads, validates (errors name file, path, reason) and compiles a YAML file or folder. */
export function loadRoutingTables(path: string): Tables {
  return compile(loadConfigFile(routingConfigSchema, path));
}
