// FreeSWITCH hangup causes, Q.850 codes and the SIP mappings mod_sofia uses.

export const Q850: Record<string, number> = {
  UNALLOCATED_NUMBER: 1,
  NO_ROUTE_DESTINATION: 3,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  NUMBER_CHANGED: 22,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  OUTGOING_CALL_BARRED: 52,
  INCOMING_CALL_BARRED: 54,
  SERVICE_UNAVAILABLE: 63,
  INCOMPATIBLE_DESTINATION: 88,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  INTERWORKING: 127,
  // Non-Q.850 FreeSWITCH causes report hangup_cause_q850=16 (ESL.md).
  ORIGINATOR_CANCEL: 487,
  ALLOTTED_TIMEOUT: 602,
  INVALID_GATEWAY: 608,
};

export function q850Of(cause: string): number {
  const c = Q850[cause];
  if (c === undefined || c > 127) return 16;
  return c;
}

export function causeFromSip(code: number): string {
  switch (code) {
    case 404:
    case 485:
    case 604:
      return "UNALLOCATED_NUMBER";
    case 401:
    case 402:
    case 403:
    case 407:
    case 603:
      return "CALL_REJECTED";
    case 408:
    case 504:
      return "RECOVERY_ON_TIMER_EXPIRE";
    case 410:
      return "NUMBER_CHANGED";
    case 480:
      return "NO_USER_RESPONSE";
    case 484:
      return "INVALID_NUMBER_FORMAT";
    case 486:
    case 600:
      return "USER_BUSY";
    case 487:
      return "ORIGINATOR_CANCEL";
    case 488:
    case 606:
      return "INCOMPATIBLE_DESTINATION";
    case 502:
      return "NETWORK_OUT_OF_ORDER";
    case 500:
    case 503:
      return "NORMAL_TEMPORARY_FAILURE";
    case 505:
      return "INTERWORKING";
    default:
      return "NORMAL_UNSPECIFIED";
  }
}

/** SIP response a refused (unanswered) caller receives for a hangup cause. */
export function sipFromCause(cause: string): number {
  switch (cause) {
    case "UNALLOCATED_NUMBER":
    case "NO_ROUTE_DESTINATION":
      return 404;
    case "USER_BUSY":
      return 486;
    case "NO_USER_RESPONSE":
    case "NO_ANSWER":
    case "SUBSCRIBER_ABSENT":
    case "ALLOTTED_TIMEOUT":
      return 480;
    case "CALL_REJECTED":
      return 603;
    case "INVALID_NUMBER_FORMAT":
      return 484;
    case "NORMAL_CIRCUIT_CONGESTION":
    case "NORMAL_TEMPORARY_FAILURE":
    case "SWITCH_CONGESTION":
    case "SERVICE_UNAVAILABLE":
      return 503;
    case "RECOVERY_ON_TIMER_EXPIRE":
      return 408;
    case "ORIGINATOR_CANCEL":
      return 487;
    case "INCOMPATIBLE_DESTINATION":
      return 488;
    case "NETWORK_OUT_OF_ORDER":
      return 502;
    case "NORMAL_CLEARING":
      return 480;
    default:
      return 500;
  }
}

export const DIALSTATUS: Record<string, string> = {
  SUCCESS: "SUCCESS",
  USER_BUSY: "BUSY",
  NO_ANSWER: "NOANSWER",
  NORMAL_TEMPORARY_FAILURE: "NORMAL_TEMPORARY_FAILURE",
  UNALLOCATED_NUMBER: "INVALIDARGS",
  CALL_REJECTED: "CALL_REJECTED",
};
