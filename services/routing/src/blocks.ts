// The list of every block in force (seed 001 §12.1: "Eine Aufstellung über alle eingerichteten
// Sperrungen oder Beschränkungen stellt Callax auf Nachfrage zur Verfügung"), for
// `callctl blocks list` and the NATS endpoint callctl.route.blocks.
import { pb, type callctl } from "@callctl/core";
import type { NumberTypeName } from "./config.ts";
import type { GroupT, Tables } from "./tables.ts";

type Entry = callctl.v1.IBlockEntry;
const NT = pb.NumberType as unknown as Record<NumberTypeName, number>;

function entry(level: string, scope: string, g: GroupT, reason: string): Entry {
  return { level, scope, group: g.id, description: g.description, numberTypes: g.raw.numberTypes.map((t) => NT[t]), prefixes: [...g.raw.prefixes], countries: [...g.raw.countries], reason, ...(g.raw.exceptCountries.length ? { description: `${g.description} (except ${g.raw.exceptCountries.join(", ")})` } : {}) };
}

/** Every block, optionally only those that apply to one brand and/or one account. */
export function listBlocks(t: Tables, filter: { brand?: string; accountId?: string } = {}): Entry[] {
  const out: Entry[] = [];
  const brands = [...t.brands.values()].filter((b) => !filter.brand || b.id === filter.brand);
  for (const id of t.globalGroupIds) {
    const g = t.groups.get(id)!;
    const exempt = brands.filter((b) => !b.globalBlocks.includes(g)).map((b) => b.id);
    const e = entry("GLOBAL", "", g, "BLOCKED_GLOBAL");
    if (exempt.length) e.description = `${g.description} (not for brand ${exempt.join(", ")})`;
    if (exempt.length < brands.length || brands.length === 0) out.push(e);
  }
  for (const b of brands) for (const g of b.brandBlocks) out.push(entry("BRAND", b.id, g, "BLOCKED_BRAND"));
  for (const s of t.subscribersByCli.values()) {
    if (filter.accountId && s.account !== filter.accountId) continue;
    for (const g of s.barring) out.push(entry("ACCOUNT", s.account, g, "BLOCKED_ACCOUNT"));
  }
  for (const p of Object.keys(t.config.products)) {
    const a = t.config.products[p]!.allowedDestinations;
    if (!a || (filter.brand && !brands.some((b) => b.products.has(p)))) continue;
    out.push({ level: "PRODUCT", scope: p, group: "allowed-destinations", description: `only: national ${a.national.join("/") || "none"}; ${a.countries.join(", ") || "no countries"} (${a.internationalTypes.join("/")})`, numberTypes: [], prefixes: [], countries: [...a.countries], reason: "DESTINATION_NOT_ALLOWED" });
  }
  if (t.critical.size) out.push({ level: "CRITICAL_COUNTRY", scope: "", group: "critical-countries", description: "critical countries (seed 002 §4.6)", numberTypes: [], prefixes: [], countries: [...t.critical], reason: "CRITICAL_COUNTRY" });
  return out;
}

/** One line per entry for people. */
export function formatBlocks(entries: Entry[]): string {
  const names = pb.NumberType as unknown as Record<number, string>;
  return entries
    .map((e) => {
      const what = [e.numberTypes?.length ? `types ${e.numberTypes.map((n) => names[n as number]).join(",")}` : "", e.countries?.length ? `countries ${e.countries.join(",")}` : "", e.prefixes?.length ? `prefixes +${e.prefixes.join(",+")}` : ""].filter(Boolean).join("; ");
      return `${(e.level ?? "").padEnd(16)} ${(e.scope || "-").padEnd(14)} ${(e.group ?? "").padEnd(20)} ${(e.reason ?? "").padEnd(24)} ${what}${e.description ? `  # ${e.description}` : ""}`;
    })
    .join("\n");
}
