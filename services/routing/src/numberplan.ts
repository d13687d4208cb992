// The German number-range catalogue (numberPlan in the config, a versioned data file
// infra/config/example/number-plan.yaml): national significant number (NSN, after the trunk 0 or
// +49) -> number type and allowed NSN length, by longest prefix. DOMAIN.md §1.2.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { NumberTypeName, RoutingConfig } from "./config.ts";
import { PrefixTable } from "./prefix.ts";

export interface RangeEntry {
  prefix: string;
  type: NumberTypeName;
  minLength: number;
  maxLength: number;
}

export type NationalResult = { ok: true; type: NumberTypeName; range: RangeEntry | null } | { ok: false; reason: "NUMBER_TOO_SHORT" | "NUMBER_TOO_LONG" | "UNALLOCATED_NUMBER"; detail: string; type: NumberTypeName };

export class NumberPlan {
  readonly version: string;
  readonly ranges: RangeEntry[];
  #table = new PrefixTable(1024);
  #areas = new PrefixTable(4096);
  #areaCache = new Map<string, string>();
  #ok: NationalResult[];

  constructor(plan: RoutingConfig["numberPlan"]) {
    this.version = plan.version;
    this.ranges = plan.ranges.map((r) => ({ prefix: r.prefix, type: r.type, minLength: r.minLength, maxLength: r.maxLength }));
    for (const [i, r] of this.ranges.entries()) this.#table.set(r.prefix, i);
    this.#ok = this.ranges.map((r) => Object.freeze({ ok: true, type: r.type, range: r }));
    for (const a of plan.areaCodes) this.#areas.set(a, a.length);
  }

  /** Classifies a German NSN (digits after 0 / +49). */
  classify(nsn: string): NationalResult {
    return this.classifyFrom(nsn, 0);
  }

  /** The same for the NSN that starts at `from` of `digits` (e.g. 2 for an E.164 number 49...), without slicing it. */
  classifyFrom(digits: string, from: number): NationalResult {
    const i = this.#table.lookup(digits, from);
    const r = i >= 0 ? this.ranges[i]! : null;
    const len = digits.length - from;
    if (!r || r.type === "UNKNOWN") return { ok: false, reason: "UNALLOCATED_NUMBER", detail: `no German number range for 0${digits.slice(from, from + 4)}`, type: "UNKNOWN" };
    if (len < r.minLength) return { ok: false, reason: "NUMBER_TOO_SHORT", detail: `0${r.prefix}: at least ${r.minLength} digits after the 0, got ${len}`, type: r.type };
    if (len > r.maxLength) return { ok: false, reason: "NUMBER_TOO_LONG", detail: `0${r.prefix}: at most ${r.maxLength} digits after the 0, got ${len}`, type: r.type };
    return this.#ok[i]!; // one immutable result per range: nothing allocated for a valid number
  }

  /**
   * The area code (without 0) of a German geographic NSN, or "" when it is not geographic. The
   * catalogue's area-code list wins; numbers outside it fall back to the national format of
   * libphonenumber (whose German formatting rules follow the real area-code lengths), cached.
   */
  areaCode(nsn: string): string {
    const first = nsn.charCodeAt(0);
    if (first < 50 /* '2' */ || first > 57) return "";
    const t = this.classify(nsn);
    if (!t.ok || t.type !== "FIXED") return "";
    const n = this.#areas.lookup(nsn);
    if (n > 0) return nsn.slice(0, n);
    const cached = this.#areaCache.get(nsn);
    if (cached !== undefined) return cached;
    let area = "";
    const p = parsePhoneNumberFromString(`+49${nsn}`, { extract: false });
    const national = p?.formatNational() ?? "";
    const m = /^0(\d{2,5}) /.exec(national);
    if (m) area = m[1]!;
    if (this.#areaCache.size > 100_000) this.#areaCache.clear();
    this.#areaCache.set(nsn, area);
    return area;
  }
}
