// ESL event headers → facts the call flow understands. Pure functions, tested on recorded traffic
// (ESL.md "How bridge outcomes are reported", "Events and variables a driver needs").

export type Headers = (name: string) => string | null | undefined;

/** FreeSWITCH hangup cause names and their Q.850 numbers (switch_types.h / SignalWire cause table). */
const CAUSE_Q850: Record<string, number> = {
  UNALLOCATED_NUMBER: 1, NO_ROUTE_TRANSIT_NET: 2, NO_ROUTE_DESTINATION: 3, NORMAL_CLEARING: 16, USER_BUSY: 17,
  NO_USER_RESPONSE: 18, NO_ANSWER: 19, SUBSCRIBER_ABSENT: 20, CALL_REJECTED: 21, NUMBER_CHANGED: 22,
  EXCHANGE_ROUTING_ERROR: 25, DESTINATION_OUT_OF_ORDER: 27, INVALID_NUMBER_FORMAT: 28, FACILITY_REJECTED: 29, NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34, NETWORK_OUT_OF_ORDER: 38, NORMAL_TEMPORARY_FAILURE: 41, SWITCH_CONGESTION: 42,
  REQUESTED_CHAN_UNAVAIL: 44, FACILITY_NOT_SUBSCRIBED: 50, OUTGOING_CALL_BARRED: 52, INCOMING_CALL_BARRED: 54,
  BEARERCAPABILITY_NOTAUTH: 57, BEARERCAPABILITY_NOTAVAIL: 58, SERVICE_UNAVAILABLE: 63, INCOMPATIBLE_DESTINATION: 88, SERVICE_NOT_IMPLEMENTED: 79, RECOVERY_ON_TIMER_EXPIRE: 102, PROTOCOL_ERROR: 111,
  INTERWORKING: 127, ORIGINATOR_CANCEL: 16, ALLOTTED_TIMEOUT: 16, LOSE_RACE: 16,
};
const Q850_CAUSE: Record<number, string> = {};
for (const [name, q] of Object.entries(CAUSE_Q850)) if (!(q in Q850_CAUSE)) Q850_CAUSE[q] = name;

export function q850OfCause(name: string | null | undefined): number {
  return CAUSE_Q850[name ?? ""] ?? 16;
}

/** The cause name FreeSWITCH understands for a Q.850 number (hangup-cause, sched_hangup). */
export function causeOfQ850(q850: number): string {
  return Q850_CAUSE[q850] ?? "NORMAL_CLEARING";
}

export interface BridgeOutcome {
  answered: boolean;
  q850: number;
  sipCode: number;
  cause: string;
}

/**
 * Outcome of one `bridge` from its CHANNEL_EXECUTE_COMPLETE. originate_disposition decides (the
 * latest completion's value; other variables are sticky across attempts). `prevSip` is the
 * sip_invite_failure_status seen at the previous completion: an unchanged value is stale.
 */
export function bridgeOutcome(h: Headers, prevSip = ""): BridgeOutcome {
  const disp = h("variable_originate_disposition") ?? h("variable_DIALSTATUS") ?? "";
  if (disp === "SUCCESS") return { answered: true, q850: q850OfCause(h("variable_bridge_hangup_cause") ?? "NORMAL_CLEARING"), sipCode: 200, cause: "SUCCESS" };
  const sipRaw = h("variable_sip_invite_failure_status") ?? "";
  const sipCode = sipRaw && sipRaw !== prevSip ? Number(sipRaw) || 0 : 0;
  // ALLOTTED_TIMEOUT here is a per-leg ring timeout ({leg_timeout=N}), i.e. no answer.
  const cause = disp === "ALLOTTED_TIMEOUT" ? "NO_ANSWER" : disp || "NORMAL_TEMPORARY_FAILURE";
  return { answered: false, q850: q850OfCause(cause), sipCode, cause };
}

/** Who ended the channel and how, from CHANNEL_HANGUP / CHANNEL_HANGUP_COMPLETE. */
export function hangupOf(h: Headers): { q850: number; cause: string; sipCode: number } {
  const cause = h("Hangup-Cause") ?? h("variable_hangup_cause") ?? "NORMAL_CLEARING";
  const q = Number(h("variable_hangup_cause_q850"));
  return { cause, q850: Number.isFinite(q) && q > 0 ? q : q850OfCause(cause), sipCode: Number(h("variable_sip_term_status")) || 0 };
}

/** CDR timings of a finished channel (only CHANNEL_HANGUP_COMPLETE has them). */
export function cdrOf(h: Headers): { billsec: number; billmsec: number; answerUs: number; progressMediaUs: number; hangupUs: number } {
  const n = (k: string) => Number(h(k) ?? 0) || 0;
  return {
    billsec: n("variable_billsec"), billmsec: n("variable_billmsec"), answerUs: n("Caller-Channel-Answered-Time"),
    progressMediaUs: n("Caller-Channel-Progress-Media-Time"), hangupUs: n("Caller-Channel-Hangup-Time"),
  };
}

/** A reply-text / api body is a success when it starts with +OK (ESL.md pitfalls 11-12). */
export function isOk(text: string | null | undefined): boolean {
  const t = text ?? "";
  return t.startsWith("+OK") || t.startsWith("%2BOK");
}

/** The playback argument for a playlist: one file, or a file_string:// of several. */
export function playbackArg(files: string[]): string {
  return files.length === 1 ? files[0]! : `file_string://${files.join("!")}`;
}
