// ARI objects as Asterisk 22 serialises them (field order as recorded), and cause tables.

let lastMs = Number.NaN;
let lastTime = "";

export function ariTime(ms = Date.now()): string {
  // 2026-11-22T01:40:28.283+0000 (most events of a call come in the same millisecond as another)
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = new Date(ms).toISOString().replace("Z", "+0000");
  }
  return lastTime;
}

export interface AriChannelState {
  id: string;
  name: string;
  state: "Down" | "Ring" | "Ringing" | "Up";
  protocol_id: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  accountcode: string;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime: string;
  language: string;
}

export interface AriBridgeState {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

export interface AriPlaybackState {
  id: string;
  media_uri: string;
  target_uri: string;
  language: string;
  state: "queued" | "playing" | "done" | "failed";
}

export const CAUSE_TXT: Record<number, string> = {
  0: "Unknown",
  1: "Unallocated (unassigned) number",
  3: "No route to destination",
  16: "Normal Clearing",
  17: "User busy",
  18: "No user responding",
  19: "User alerting, no answer",
  21: "Call Rejected",
  27: "Destination out of order",
  28: "Invalid number format (addr incomplete)",
  31: "Normal, unspecified",
  32: "Normal, unspecified",
  34: "Circuit/channel congestion",
  38: "Network out of order",
  41: "Temporary failure",
  58: "Bearer capability not available",
  127: "Interworking, unspecified",
};

/** PJSIP: SIP final response → Q.850 cause (res_pjsip_session / chan_pjsip). */
export function causeFromSipAri(code: number): number {
  switch (code) {
    case 404:
    case 485:
    case 604:
      return 1;
    case 486:
    case 600:
      return 17;
    case 408:
      return 18;
    case 480:
      return 19;
    case 403:
    case 603:
      return 21;
    case 484:
      return 28;
    case 488:
    case 606:
      return 58;
    case 500:
      return 41;
    case 502:
      return 38;
    case 503:
      return 34;
    default:
      return code >= 500 ? 41 : 31;
  }
}

export function dialstatusFor(cause: number): string {
  if (cause === 17) return "BUSY";
  if (cause === 34 || cause === 41 || cause === 38) return "CONGESTION";
  if (cause === 19 || cause === 18) return "NOANSWER";
  return "CHANUNAVAIL";
}

/** DELETE /channels/{id}?reason= → Q.850 cause and the SIP response an unanswered caller gets. */
export const REASONS: Record<string, [cause: number, sip: number]> = {
  normal: [16, 603],
  busy: [17, 486],
  congestion: [34, 503],
  no_answer: [19, 480],
  timeout: [18, 408],
  rejected: [21, 403],
  unallocated: [1, 404],
  normal_unspecified: [31, 480],
  number_incomplete: [28, 484],
  codec_mismatch: [58, 488],
  interworking: [127, 500],
  failure: [38, 500],
  answered_elsewhere: [26, 603],
};

export function sipForCause(cause: number): number {
  for (const [c, sip] of Object.values(REASONS)) if (c === cause) return sip;
  return 603;
}

/** FreeSWITCH cause names for SimCallResult (shared with the ESL side). */
export const FS_CAUSE: Record<number, string> = {
  1: "UNALLOCATED_NUMBER",
  16: "NORMAL_CLEARING",
  17: "USER_BUSY",
  18: "NO_USER_RESPONSE",
  19: "NO_ANSWER",
  21: "CALL_REJECTED",
  26: "ANSWERED_ELSEWHERE",
  28: "INVALID_NUMBER_FORMAT",
  31: "NORMAL_UNSPECIFIED",
  34: "NORMAL_CIRCUIT_CONGESTION",
  38: "NETWORK_OUT_OF_ORDER",
  41: "NORMAL_TEMPORARY_FAILURE",
  58: "BEARERCAPABILITY_NOTAVAIL",
  127: "INTERWORKING",
  487: "ORIGINATOR_CANCEL",
};

/** Events made from a channel blob: Asterisk writes the blob's fields before type and timestamp. */
const BLOB_EVENTS = new Set(["ChannelHangupRequest", "ChannelVarset"]);

/**
 * An event's JSON object in Asterisk's key order: type, timestamp, then its fields, except a blob
 * event's (recorded: `{"cause":16,"soft":true,"type":"ChannelHangupRequest","timestamp":…,"channel":…}`).
 */
export function ariEvent(type: string, fields: Record<string, unknown>): Record<string, unknown> & { type: string } {
  if (!BLOB_EVENTS.has(type)) return { type, timestamp: ariTime(), ...fields };
  const { channel, ...blob } = fields;
  return { ...blob, type, timestamp: ariTime(), channel };
}
