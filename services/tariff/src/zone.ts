// Zone of an E.164 number for the dry-run CLI, without the routing service: a small documented
// fallback on libphonenumber-js "max" metadata (DOMAIN.md §2). Production quotes get the zone from
// routing (RouteDecision.destination.zone); this mirrors its zone deck in outline:
//   DE: freephone (0800) -> DE_FREEPHONE, 032 -> DE_NATSUB, mobile -> DE_MOBILE, 032/VoIP/personal/UAN -> DE_NATSUB,
//       shared cost/premium -> DE_SERVICE, anything else -> DE_FIXED (DE_LOCAL needs the caller's
//       area code: pass --zone DE_LOCAL)
//   US, CA -> NA_*; TR -> TR_*; EU/EEA, CH, GB -> EU_*; all others (incl. other NANP) -> WORLD_*
//   *_MOBILE when the number type is MOBILE or PAGER, else *_FIXED (FIXED_LINE_OR_MOBILE is fixed).
import { ValidationError } from "@callctl/core";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { Zone } from "./config.ts";

const EU = new Set(["AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO", "CH", "GB"]);

export function zoneForE164(e164: string): Zone {
  const digits = e164.replace(/^\+/, "");
  if (!/^[1-9]\d{1,14}$/.test(digits)) throw new ValidationError(`not an E.164 number: ${JSON.stringify(e164)}`, { to: e164 });
  const n = parsePhoneNumberFromString(`+${digits}`);
  if (!n?.country) throw new ValidationError(`cannot classify ${digits}: pass --zone`, { to: e164 });
  const type = n.getType();
  const mobile = type === "MOBILE" || type === "PAGER";
  if (n.country === "DE") {
    if (type === "TOLL_FREE" || digits.startsWith("49800")) return "DE_FREEPHONE";
    if (digits.startsWith("4932")) return "DE_NATSUB"; // 032: national subscriber numbers (DOMAIN.md §1.2)
    if (mobile) return "DE_MOBILE";
    if (type === "VOIP" || type === "PERSONAL_NUMBER" || type === "UAN") return "DE_NATSUB";
    if (type === "SHARED_COST" || type === "PREMIUM_RATE") return "DE_SERVICE";
    return "DE_FIXED";
  }
  const region = n.country === "US" || n.country === "CA" ? "NA" : n.country === "TR" ? "TR" : EU.has(n.country) ? "EU" : "WORLD";
  return `${region}_${mobile ? "MOBILE" : "FIXED"}` as Zone;
}
