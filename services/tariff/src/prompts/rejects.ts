// Announcements for reasons a call is refused (routing and credit reject reasons). Data only:
// a new reason is one more line here; its prompt id is `reject/<reason in lower case>` and the
// prompt generator picks it up. Routing's REJECT_REASONS (@callctl/routing) name the same reasons.

export const REJECT_TEXTS: Record<string, string> = {
  UNKNOWN_CARRIER_CODE: "Diese Netzvorwahl ist nicht vergeben. Bitte prüfen Sie die gewählte Vorwahl.",
  INVALID_NUMBER: "Die gewählte Rufnummer ist ungültig. Bitte prüfen Sie Ihre Eingabe.",
  EMERGENCY_NOT_VIA_CARRIER: "Notrufe wählen Sie bitte ohne Sparvorwahl direkt: eins eins null oder eins eins zwei.",
  BLOCKED_DESTINATION: "Diese Rufnummer ist über diese Sparvorwahl nicht erreichbar.",
  BLOCKED_PREMIUM: "Sonderrufnummern und Mehrwertdienste sind über diese Sparvorwahl nicht erreichbar.",
  BLOCKED_BY_CUSTOMER: "Verbindungen zu dieser Rufnummer sind für Ihren Anschluss gesperrt.",
  DESTINATION_NOT_ALLOWED: "Dieses Ziel ist mit diesem Tarif nicht erreichbar.",
  CRITICAL_COUNTRY: "Verbindungen in dieses Land sind aus Sicherheitsgründen gesperrt.",
  NOT_REGISTERED: "Ihr Anschluss ist für diesen Dienst nicht angemeldet.",
  NO_ROUTE: "Das gewünschte Ziel ist zurzeit nicht erreichbar. Bitte versuchen Sie es später noch einmal.",
  NO_CREDIT: "Ihr Guthaben reicht für dieses Gespräch nicht aus. Bitte laden Sie Ihr Guthaben auf.",
  ACCOUNT_BLOCKED: "Ihr Kundenkonto ist gesperrt. Bitte wenden Sie sich an unseren Kundenservice.",
  LIMIT_EXCEEDED: "Ihr Gesprächslimit ist erreicht. Bitte wenden Sie sich an unseren Kundenservice.",
  NODE_DRAINING: "Dieser Dienst wird gerade gewartet. Bitte versuchen Sie es in wenigen Minuten noch einmal.",
  SERVICE_UNAVAILABLE: "Dieser Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es später noch einmal.",
  RATE_LIMITED: "Zu viele Anrufe in kurzer Zeit. Bitte versuchen Sie es später noch einmal.",
  NO_TARIFF: "Für dieses Ziel gibt es zurzeit keinen Tarif. Die Verbindung ist nicht möglich.",
};

export const rejectPromptId = (reason: string): string => `reject/${reason.toLowerCase()}`;

/** The prompt id for a reject reason; unknown reasons fall back to the generic service message. */
export function rejectAnnouncement(reason: string): { id: string; text: string } {
  const text = REJECT_TEXTS[reason];
  if (text !== undefined) return { id: rejectPromptId(reason), text };
  return { id: rejectPromptId("SERVICE_UNAVAILABLE"), text: REJECT_TEXTS.SERVICE_UNAVAILABLE! };
}
