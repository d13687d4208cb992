// The dialed string as a German switch receives it (DOMAIN.md §1.1, §2): an optional carrier
// selection code 010xy / 0100xy, then 00 + country code (international), 0 + NSN (national), 11x
// (special services, no area code) or a local subscriber number; or +E.164 from SIP. Pure and
// total: every input gives a result, never an exception.
import type { RejectReason } from "./reasons.ts";

export type DialedKind = "international" | "national" | "local" | "special" | "e164";

export type ParsedDialed =
  | { ok: true; carrierCode: string; kind: DialedKind; digits: string }
  | { ok: false; carrierCode: string; reason: RejectReason; detail: string };

const MAX_E164 = 15; // DOMAIN.md §2: at most 15 digits
const MAX_RAW = 40;

function fail(carrierCode: string, reason: RejectReason, detail: string): ParsedDialed {
  return { ok: false, carrierCode, reason, detail };
}

/**
 * `digits` is: the E.164 number without '+' for international/national/special/e164 (national
 * and special get the 49 prefix), or the bare subscriber number for `local`, which the router
 * completes with the caller's area code.
 */
export function parseDialed(raw: string): ParsedDialed {
  if (typeof raw !== "string" || raw.length === 0) return fail("", "NUMBER_TOO_SHORT", "nothing dialed");
  if (raw.length > MAX_RAW) return fail("", "NUMBER_TOO_LONG", `${raw.length} characters dialed`);
  const plus = raw.charCodeAt(0) === 43; /* + */
  const start = plus ? 1 : 0;
  for (let i = start; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return fail("", "INVALID_CHARACTERS", `character ${i + 1} is not a digit`);
  }
  if (plus) {
    // +E.164 from SIP: no carrier code, no trunk prefix
    const n = raw.length - 1;
    if (n === 0) return fail("", "NUMBER_TOO_SHORT", "'+' without digits");
    if (raw.charCodeAt(1) === 48) return fail("", "INVALID_COUNTRY_CODE", "an E.164 number cannot start with 0");
    if (n > MAX_E164) return fail("", "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${n}`);
    return ok("", "e164", raw.slice(1));
  }
  // offsets into raw instead of intermediate slices: one string for the result's digits
  let code = "";
  let r = 0; // where the number after the carrier code starts
  if (raw.startsWith("010")) {
    // DOMAIN.md §1.1: after 010 a 0 means the six-digit form 0100xy
    const len = raw.charCodeAt(3) === 48 ? 6 : 5;
    if (raw.length < len) return fail("", "NUMBER_TOO_SHORT", `incomplete carrier-selection code ${raw}`);
    code = raw.slice(0, len);
    r = len;
    if (raw.length === r) return fail(code, "NUMBER_TOO_SHORT", "carrier-selection code without a number");
  }
  const rest = raw.length - r;
  if (raw.startsWith("00", r)) {
    const n = rest - 2;
    if (n === 0) return fail(code, "NUMBER_TOO_SHORT", "international prefix 00 without a country code");
    if (raw.charCodeAt(r + 2) === 48) return fail(code, "INVALID_COUNTRY_CODE", "country codes do not start with 0");
    if (n > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${n}`);
    return ok(code, "international", raw.slice(r + 2));
  }
  if (raw.charCodeAt(r) === 48) {
    const n = rest - 1;
    if (n === 0) return fail(code, "NUMBER_TOO_SHORT", "trunk prefix 0 without a number");
    if (n + 2 > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${n + 2}`);
    return ok(code, "national", `49${raw.slice(r + 1)}`);
  }
  // 11x: emergency, harmonised and directory numbers are dialed without an area code
  // (DOMAIN.md §1.2: subscriber numbers never start with 0 or 11)
  if (raw.startsWith("11", r)) {
    if (rest + 2 > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `${rest} digits`);
    return ok(code, "special", `49${raw.slice(r)}`);
  }
  if (code === "") {
    // no carrier code and no prefix: E.164 without '+', the wire form (callback destinations)
    if (rest > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${rest}`);
    return ok(code, "e164", raw);
  }
  if (rest > 11) return fail(code, "NUMBER_TOO_LONG", `a local subscriber number has at most 11 digits, got ${rest}`);
  return ok(code, "local", raw.slice(r));
}

function ok(carrierCode: string, kind: DialedKind, digits: string): ParsedDialed {
  return { ok: true, carrierCode, kind, digits };
}

/**
 * The caller's CLI as E.164 without '+' ("" when absent, anonymous or malformed). Accepts
 * E.164 with or without '+', 00-international and 0-national German forms.
 */
export function normaliseCli(cli: string): string {
  if (typeof cli !== "string" || cli.length < 3 || cli.length > 20) return "";
  let s = cli.charCodeAt(0) === 43 ? cli.slice(1) : cli;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return "";
  }
  if (s.startsWith("00")) s = s.slice(2);
  else if (s.charCodeAt(0) === 48) s = `49${s.slice(1)}`;
  if (s.length < 7 || s.length > MAX_E164 || s.charCodeAt(0) === 48) return "";
  return s;
}
