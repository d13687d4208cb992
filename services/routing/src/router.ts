// One routing decision, in memory. The checks run in this fixed, documented order; the first
// that fails gives the REJECT (reason, Q.850 cause, announcement id; reasons.ts):
//   1. parse the dialed string (carrier code, prefix, digits, length)           dialed.ts
//   2. brand by carrier code, or by product for brands without one (callpartner, seed 000 §3.3)
//   3. product offered by the brand
//   4. destination: E.164, country, number type (catalogue / libphonenumber)  classify.ts
//   5. emergency and harmonised numbers never go via carrier selection (DOMAIN.md §1.3), or
//      to the brand's emergency trunk free of charge when it names one (emergencyTrunk)
//   6. account: the caller's CLI (call-by-call), a registered CLI (prepaid), or the request
//   7. global block groups (seed 001 §2.2), minus the groups the brand is allowed
//   8. brand block groups (seed 001 §12.1)
//   9. the account's own barring (seed 003 §17.3)
//  10. the product's allowed destinations (seed 000 §4.1)
//  11. critical countries (seed 002 §4.6)
//  12. zone by longest prefix in the brand's zone deck
//  13. least-cost routing: priced trunks by health, then cost; at most lcr.maxCandidates
import { CallctlError, pb, type callctl } from "@callctl/core";
import { InternationalClassifier, zoneOf } from "./classify.ts";
import type { NumberTypeName } from "./config.ts";
import { normaliseCli, parseDialed } from "./dialed.ts";
import { type Admission, TrunkHealth } from "./health.ts";
import { reject, type RejectReason } from "./reasons.ts";
import { groupMatches, TYPE_BIT, TYPE_INDEX, type GroupT, type Tables, type TrunkT } from "./tables.ts";

type Decision = callctl.v1.IRouteDecision;
type Candidate = callctl.v1.ITrunkCandidate;

const NT = pb.NumberType as unknown as Record<NumberTypeName, number>;
const ROUTE = pb.RouteOutcome.ROUTE;
const REJECT = pb.RouteOutcome.REJECT;

interface CallerInfo {
  area: string; // German area code of the CLI, "" when none
  account: string; // the call-by-call account of the line
}

export class NotReadyError extends CallctlError {
  constructor() {
    super("UNAVAILABLE", "routing has no configuration loaded yet", { retryable: true });
  }
}

export class Router {
  #t: Tables | undefined;
  readonly health: TrunkHealth;
  readonly intl: InternationalClassifier;
  #now: () => number;
  // scratch for ranking one decision's trunks (the router is used from one thread)
  #idx = new Int32Array(16);
  #rank = new Int32Array(16);
  #cost = new Float64Array(16);
  #ner = new Float64Array(16);
  #adm = new Uint8Array(16);
  #callers = new Map<string, CallerInfo>();
  #callersOf: Tables | undefined;

  constructor(opts: { tables?: Tables; now?: () => number; intlCacheSize?: number } = {}) {
    this.#now = opts.now ?? Date.now;
    this.health = new TrunkHealth(opts.tables?.lcr.health ?? { window: 100, minSamples: 20, nerThreshold: 0.9, openMs: 30_000, probeIntervalMs: 5_000, probeSuccesses: 3 }, this.#now);
    this.intl = new InternationalClassifier(opts.intlCacheSize);
    if (opts.tables) this.swap(opts.tables);
  }

  get tables(): Tables | undefined {
    return this.#t;
  }

  /** Atomic swap: one reference assignment; decisions in progress keep the tables they started with. */
  swap(t: Tables): void {
    this.health.configure(t.lcr.health);
    this.#t = t;
  }

  #grow(n: number): void {
    this.#idx = new Int32Array(n);
    this.#rank = new Int32Array(n);
    this.#cost = new Float64Array(n);
    this.#ner = new Float64Array(n);
    this.#adm = new Uint8Array(n);
  }

  /** What a decision derives from the caller's CLI alone, memoised per CLI for the current tables. */
  #caller(t: Tables, cli: string): CallerInfo {
    if (this.#callersOf !== t) {
      this.#callersOf = t;
      this.#callers.clear();
    }
    let a = this.#callers.get(cli);
    if (a === undefined) {
      a = { area: cli.startsWith("49") ? t.plan.areaCode(cli.slice(2)) : "", account: `cli:${cli}` };
      if (this.#callers.size >= 100_000) this.#callers.clear();
      this.#callers.set(cli, a);
    }
    return a;
  }

  #emergency(d: Decision, tr: TrunkT, e164: string): Decision {
    return emergencyRoute(d, tr, e164, this.health.status(tr.id, this.#now()).state);
  }

  decide(req: callctl.v1.IRouteRequest): Decision {
    const t = this.#t;
    if (!t) throw new NotReadyError();
    const d: Decision = { callId: req.callId ?? "", outcome: REJECT, brand: "", carrierCode: "", product: "", destination: null, candidates: [], configVersion: t.version, accountId: "" };
    // 1-3
    const p = parseDialed(req.dialed ?? "");
    d.carrierCode = p.carrierCode;
    if (!p.ok) {
      if (p.carrierCode && !t.brandsByCode.has(p.carrierCode)) return no(d, "UNKNOWN_CARRIER_CODE", `${p.carrierCode} is not one of our carrier-selection codes`);
      return no(d, p.reason, p.detail);
    }
    let product = req.product ?? "";
    const brand = p.carrierCode ? t.brandsByCode.get(p.carrierCode) : t.brandsByProduct.get(product);
    if (!brand) return p.carrierCode ? no(d, "UNKNOWN_CARRIER_CODE", `${p.carrierCode} is not one of our carrier-selection codes`) : no(d, "NO_CARRIER_CODE", product ? `no brand without carrier code offers ${product}` : "dialed without a carrier-selection code");
    d.brand = brand.id;
    if (!product) product = brand.defaultProduct;
    d.product = product;
    const prod = t.products.get(product);
    if (!prod || !brand.products.has(product)) return no(d, "PRODUCT_NOT_OFFERED", `brand ${brand.id} does not offer ${product}`);
    // 4
    const cli = normaliseCli(req.caller ?? "");
    let e164 = p.digits;
    let local = p.kind === "local";
    if (local) {
      const area = this.#caller(t, cli).area;
      if (!area) return no(d, "LOCAL_AREA_UNKNOWN", cli ? `caller ${cli} has no German area code` : "local number without the caller's number");
      e164 = `49${area}${p.digits}`;
      if (e164.length > 15) return no(d, "NUMBER_TOO_LONG", `E.164 allows at most 15 digits, got ${e164.length}`);
    }
    // German numbers through the catalogue (classifyGerman without its per-call objects)
    let country: string;
    let type: NumberTypeName;
    if (e164.startsWith("49")) {
      const r = t.plan.classifyFrom(e164, 2);
      if (!r.ok) {
        d.destination = { e164, country: "DE", numberType: NT[r.type], zone: "" };
        return no(d, r.reason, r.detail);
      }
      country = "DE";
      type = r.type;
    } else {
      const c = this.intl.classify(e164);
      if (!c.ok) {
        if (c.type) d.destination = { e164, country: c.country ?? "", numberType: NT[c.type], zone: "" };
        return no(d, c.reason, c.detail);
      }
      country = c.country;
      type = c.type;
    }
    d.destination = { e164, country, numberType: NT[type], zone: "" };
    // 5: DOMAIN.md §1.3, the access network routes these free of charge; a brand may name an
    // emergency trunk instead (config emergencyTrunk): then they go there, free, before any
    // account or block check
    if (type === "EMERGENCY" || type === "HARMONISED") {
      if (brand.emergencyTrunk) return this.#emergency(d, brand.emergencyTrunk, e164);
      if (type === "EMERGENCY") return no(d, "EMERGENCY_NUMBER", `${e164.slice(2)} is an emergency number`);
      return no(d, "HARMONISED_NUMBER", `${e164.slice(2)} is a harmonised service number`);
    }
    // 6
    let account = req.accountId ?? "";
    let sub = cli ? t.subscribersByCli.get(cli) : undefined;
    if (prod.account === "cli") {
      if (!cli) return no(d, "CLI_REQUIRED", "call-by-call is billed to the caller's line: no valid CLI");
      if (!account) account = this.#caller(t, cli).account;
    } else if (prod.account === "registered") {
      if (!sub || (sub.products.size > 0 && !sub.products.has(product))) return no(d, "NOT_REGISTERED", cli ? `${cli} is not registered for ${product}` : `${product} needs a registered CLI`);
      account = sub.account;
    } else if (!account) return no(d, "ACCOUNT_REQUIRED", `${product} needs an account id in the request`);
    d.accountId = account;
    if (!sub || sub.account !== account) sub = t.subscribersByAccount.get(account) ?? sub;
    // 7-9: only the groups that can match this number type (tables.ts groupsByType), in order
    const ti = TYPE_INDEX[type];
    const g1 = firstMatch(brand.globalByType[ti]!, e164, country, type);
    if (g1) return no(d, "BLOCKED_GLOBAL", `block group ${g1.id}`);
    const g2 = firstMatch(brand.brandByType[ti]!, e164, country, type);
    if (g2) return no(d, "BLOCKED_BRAND", `block group ${g2.id} of brand ${brand.id}`);
    const g3 = sub ? firstMatch(sub.barringByType[ti]!, e164, country, type) : undefined;
    if (g3) return no(d, "BLOCKED_ACCOUNT", `barring ${g3.id} of account ${account}`);
    // 10
    const a = prod.allowed;
    if (a) {
      const ok = country === "DE" ? (a.nationalMask & TYPE_BIT[type]) !== 0 : a.countries.has(country) && (a.intlMask & TYPE_BIT[type]) !== 0;
      if (!ok) return no(d, "DESTINATION_NOT_ALLOWED", `${product} does not reach ${country} ${type}`);
    }
    // 11
    if (t.critical.has(country)) return no(d, "CRITICAL_COUNTRY", `${country} is a critical country`);
    // 12
    if (!local && type === "FIXED" && country === "DE" && cli.startsWith("49")) {
      const area = this.#caller(t, cli).area;
      local = area !== "" && e164.startsWith(area, 2);
    }
    const zi = brand.zones.lookup(e164);
    const zone = zoneOf(zi >= 0 ? brand.zoneValues[zi] : undefined, type, local);
    if (!zone) return no(d, "ZONE_UNKNOWN", `brand ${brand.id} has no zone for ${country} ${type}`);
    d.destination.zone = zone;
    // 13: rank into scratch arrays (no per-trunk objects), insertion sort (stable, like
    // Array#sort: equal keys keep deck order), candidate objects only for the ones returned
    const now = this.#now();
    const trunks = brand.trunks;
    if (trunks.length > this.#idx.length) this.#grow(trunks.length);
    const idx = this.#idx;
    const rank = this.#rank;
    const cost = this.#cost;
    const ner = this.#ner;
    const adms = this.#adm;
    let priced = 0;
    let m = 0;
    for (let i = 0; i < trunks.length; i++) {
      const tr = trunks[i]!;
      const c = tr.deck.lookup(e164);
      if (c < 0) continue;
      priced++;
      const adm: Admission = this.health.admitWithNer(tr.id, now);
      if (adm === "EXCLUDED") continue;
      const r = adm === "DEMOTED" ? 1 : 0;
      const n = this.health.lastNer;
      // insert trunk i after every entry that does not rank after it
      let j = m++;
      while (j > 0) {
        const k = idx[j - 1]!;
        if ((rank[k]! - r || cost[k]! - c || n - ner[k]!) <= 0) break; // byRank(k, i) <= 0
        idx[j] = k;
        j--;
      }
      idx[j] = i;
      rank[i] = r;
      cost[i] = c;
      ner[i] = n;
      adms[i] = adm === "NORMAL" ? 0 : 1;
    }
    if (priced === 0) return no(d, "NO_ROUTE", `no trunk of brand ${brand.id} has a rate for +${e164}`);
    if (m === 0) return no(d, "NO_TRUNK_AVAILABLE", `all ${priced} trunks for +${e164} are out of service (circuit open)`);
    const n = Math.min(m, t.lcr.maxCandidates);
    const out: Candidate[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = idx[i]!;
      const tr = trunks[k]!;
      out[i] = { trunkId: tr.id, gateway: tr.gateway, dialNumber: tr.techPrefix + e164, costMicroPerMin: cost[k]!, timeoutMs: tr.timeoutMs, health: adms[k] === 0 ? "CLOSED" : "HALF_OPEN" };
    }
    d.candidates = out;
    d.outcome = ROUTE;
    return d;
  }
}

/** Emergency and harmonised numbers on the brand's emergency trunk: one candidate, cost 0, zone DE_FREEPHONE (always free in the tariffs), offered whatever its breaker says. */
function emergencyRoute(d: Decision, tr: TrunkT, e164: string, health: string): Decision {
  d.destination!.zone = "DE_FREEPHONE";
  d.candidates = [{ trunkId: tr.id, gateway: tr.gateway, dialNumber: tr.techPrefix + e164, costMicroPerMin: 0, timeoutMs: tr.timeoutMs, health }];
  d.outcome = ROUTE;
  return d;
}

function no(d: Decision, reason: RejectReason, detail: string): Decision {
  d.outcome = REJECT;
  d.reject = reject(reason, detail);
  return d;
}

function firstMatch(groups: GroupT[], e164: string, country: string, type: NumberTypeName): GroupT | undefined {
  for (let i = 0; i < groups.length; i++) if (groupMatches(groups[i]!, e164, country, type)) return groups[i];
  return undefined;
}

/** The decision as JSON for people: enum names, every field present. */
export function decisionToJson(d: Decision): Record<string, unknown> {
  return pb.RouteDecision.toObject(pb.RouteDecision.fromObject(d), { enums: String, longs: Number, defaults: true, arrays: true });
}
