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
  const s = plus ? raw.slice(1) : raw;
  if (plus) {
    // +E.164 from SIP: no carrier code, no trunk prefix
    if (s.length === 0) return fail("", "NUMBER_TOO_SHORT", "'+' without digits");
    if (s.charCodeAt(0) === 48) return fail("", "INVALID_COUNTRY_CODE", "an E.164 number cannot start with 0");
    if (s.length > MAX_E164) return fail("", "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${s.length}`);
    return e164OrSpecial("", s);
  }
  let code = "";
  let rest = s;
  if (s.startsWith("010")) {
    // DOMAIN.md §1.1: after 010 a 0 means the six-digit form 0100xy
    const len = s.charCodeAt(3) === 48 ? 6 : 5;
    if (s.length < len) return fail("", "NUMBER_TOO_SHORT", `incomplete carrier-selection code ${s}`);
    code = s.slice(0, len);
    rest = s.slice(len);
    if (rest.length === 0) return fail(code, "NUMBER_TOO_SHORT", "carrier-selection code without a number");
  }
  if (rest.startsWith("00")) {
    const intl = rest.slice(2);
    if (intl.length === 0) return fail(code, "NUMBER_TOO_SHORT", "international prefix 00 without a country code");
    if (intl.charCodeAt(0) === 48) return fail(code, "INVALID_COUNTRY_CODE", "country codes do not start with 0");
    if (intl.length > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${intl.length}`);
    return e164OrSpecial(code, intl, "international");
  }
  if (rest.charCodeAt(0) === 48) {
    const nsn = rest.slice(1);
    if (nsn.length === 0) return fail(code, "NUMBER_TOO_SHORT", "trunk prefix 0 without a number");
    if (nsn.length + 2 > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${nsn.length + 2}`);
    return { ok: true, carrierCode: code, kind: "national", digits: `49${nsn}` };
  }
  // 11x: emergency, harmonised and directory numbers are dialed without an area code
  // (DOMAIN.md §1.2: subscriber numbers never start with 0 or 11)
  if (rest.startsWith("11")) {
    if (rest.length + 2 > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `${rest.length} digits`);
    return { ok: true, carrierCode: code, kind: "special", digits: `49${rest}` };
  }
  if (code === "") {
    // no carrier code and no prefix: E.164 without '+', the wire form (callback destinations)
    if (rest.length > MAX_E164) return fail(code, "NUMBER_TOO_LONG", `E.164 allows at most ${MAX_E164} digits, got ${rest.length}`);
    return { ok: true, carrierCode: code, kind: "e164", digits: rest };
  }
  if (rest.length > 11) return fail(code, "NUMBER_TOO_LONG", `a local subscriber number has at most 11 digits, got ${rest.length}`);
  return { ok: true, carrierCode: code, kind: "local", digits: rest };
}

function e164OrSpecial(code: string, e164: string, kind: DialedKind = "e164"): ParsedDialed {
  return { ok: true, carrierCode: code, kind, digits: e164 };
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
