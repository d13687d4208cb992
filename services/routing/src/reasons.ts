// Every REJECT the routing service can give: a stable reason code, the Q.850 cause the switch
// signals, the announcement id (`reject/<reason_lowercase>`, rendered by the tariff service) and a
// short German sentence for that prompt. Q.850 classes: DOMAIN.md §5.
import type { callctl } from "@callctl/core";

export interface RejectReasonInfo {
  reason: string;
  q850: number;
  announcement: string;
  text_de: string;
}

const R = <const T extends string>(reason: T, q850: number, text_de: string) => ({ reason, q850, announcement: `reject/${reason.toLowerCase()}`, text_de }) as const;

/** The reasons, in the order the checks run (parser, brand, destination, policy, routing). */
export const REJECT_REASONS = [
  // parser (DOMAIN.md §1.1, §2): 28 = invalid number format, 2 = no route to transit network
  R("INVALID_CHARACTERS", 28, "Die gewählte Rufnummer enthält ungültige Zeichen."),
  R("NUMBER_TOO_SHORT", 28, "Die gewählte Rufnummer ist unvollständig."),
  R("NUMBER_TOO_LONG", 28, "Die gewählte Rufnummer ist zu lang."),
  R("UNKNOWN_CARRIER_CODE", 2, "Diese Betreiberkennzahl ist bei uns nicht vergeben."),
  R("NO_CARRIER_CODE", 2, "Bitte wählen Sie vor der Rufnummer eine Betreiberkennzahl."),
  R("INVALID_COUNTRY_CODE", 1, "Diese Landesvorwahl ist nicht vergeben."),
  R("LOCAL_AREA_UNKNOWN", 28, "Ortsgespräche sind nur mit Ortsnetzkennzahl möglich. Bitte wählen Sie die Vorwahl mit."),
  // destination (DOMAIN.md §1.2)
  R("UNALLOCATED_NUMBER", 1, "Diese Rufnummer ist nicht vergeben."),
  // policy, in the order of policy.ts
  R("EMERGENCY_NUMBER", 2, "Notrufe wählen Sie bitte ohne Betreiberkennzahl. Die Notrufnummern sind 110 und 112."),
  R("HARMONISED_NUMBER", 2, "Diese Servicerufnummer wählen Sie bitte ohne Betreiberkennzahl."),
  R("PRODUCT_NOT_OFFERED", 63, "Dieser Dienst wird unter dieser Vorwahl nicht angeboten."),
  R("CLI_REQUIRED", 21, "Ihre Rufnummer wurde nicht übermittelt. Bitte schalten Sie die Rufnummernübermittlung ein."),
  R("NOT_REGISTERED", 21, "Ihr Anschluss ist für diesen Dienst nicht registriert."),
  R("ACCOUNT_REQUIRED", 21, "Für diesen Dienst ist eine Anmeldung erforderlich."),
  R("BLOCKED_GLOBAL", 52, "Diese Rufnummer ist über diese Vorwahl nicht erreichbar."),
  R("BLOCKED_BRAND", 52, "Diese Rufnummer ist über diese Vorwahl nicht erreichbar."),
  R("BLOCKED_ACCOUNT", 52, "Diese Rufnummer ist für Ihren Anschluss gesperrt."),
  R("DESTINATION_NOT_ALLOWED", 52, "Dieses Ziel ist mit diesem Dienst nicht erreichbar."),
  R("CRITICAL_COUNTRY", 52, "Verbindungen in dieses Land sind gesperrt."),
  // routing
  R("ZONE_UNKNOWN", 3, "Für dieses Ziel gibt es keinen Tarif."),
  R("NO_ROUTE", 3, "Dieses Ziel ist zurzeit nicht erreichbar."),
  R("NO_TRUNK_AVAILABLE", 34, "Alle Leitungen sind besetzt. Bitte versuchen Sie es später noch einmal."),
] as const satisfies readonly RejectReasonInfo[];

export type RejectReason = (typeof REJECT_REASONS)[number]["reason"];

const BY_REASON = new Map<string, RejectReasonInfo>(REJECT_REASONS.map((r) => [r.reason, r]));

export function reasonInfo(reason: RejectReason): RejectReasonInfo {
  return BY_REASON.get(reason)!;
}

/** A Reject message for the wire. */
export function reject(reason: RejectReason, detail: string): callctl.v1.IReject {
  const r = BY_REASON.get(reason)!;
  return { reason: r.reason, q850: r.q850, announcement: r.announcement, detail };
}
