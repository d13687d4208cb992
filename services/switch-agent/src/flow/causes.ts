// Q.850 causes and SIP codes: which failures are the network's (fail over to the next trunk) and
// which are the user's (stop). Source: DOMAIN.md §5 "Call success metrics and cause codes".
import { pb } from "@callctl/core";

/** DOMAIN.md §5, KPI class "network" (and 79 network/config). */
const NETWORK_Q850 = new Set([2, 3, 25, 27, 34, 38, 41, 42, 44, 47, 79, 102, 111, 127]);
/** SIP final responses RFC 3398 maps to a network-class cause (DOMAIN.md §5, SIP→ISUP column). */
const NETWORK_SIP = new Set([400, 406, 408, 413, 414, 415, 416, 420, 421, 423, 481, 482, 483, 500, 501, 502, 503, 504, 505, 513]);

/**
 * True when an attempt failed for a reason of the network, so another trunk may succeed.
 * User outcomes (busy 17, no answer 18/19/20, rejected 21, dialling errors 1/22/28, 31) never fail over.
 * A SIP code, when known, decides first: it is what the trunk actually said.
 */
export function isNetworkFailure(q850: number, sipCode?: number): boolean {
  if (sipCode && sipCode >= 400) return NETWORK_SIP.has(sipCode);
  return NETWORK_Q850.has(q850);
}

/** Q.850 cause → SIP response sent to an unanswered caller (DOMAIN.md §5 ISUP→SIP column). */
export function sipForQ850(q850: number): number {
  switch (q850) {
    case 1:
    case 2:
    case 3:
      return 404;
    case 17:
      return 486;
    case 18:
      return 408;
    case 19:
    case 20:
    case 31:
      return 480;
    case 21:
      return 403;
    case 22:
      return 410;
    case 27:
      return 502;
    case 28:
      return 484;
    case 34:
    case 38:
    case 41:
    case 42:
    case 47:
      return 503;
    case 79:
      return 501;
    case 102:
      return 504;
    case 111:
    case 127:
      return 500;
    default:
      return 603;
  }
}

/** Disposition of a failed attempt / unanswered call from its cause. */
export function dispositionOf(q850: number): number {
  if (q850 === 17) return pb.Disposition.BUSY;
  if (q850 === 18 || q850 === 19 || q850 === 20) return pb.Disposition.NO_ANSWER;
  return pb.Disposition.FAILED;
}

/** Cause a draining node refuses new calls with: 41 temporary failure → SIP 503, upstream retries elsewhere. */
export const DRAIN_Q850 = 41;
export const Q850_NORMAL = 16;
export const Q850_TEMPORARY_FAILURE = 41;
