// The switch-agnostic call flow: what it knows about a call, what it consumes and what it asks for.
// Nothing here names ESL or ARI: a driver turns switch traffic into FlowEvents and runs Commands.
import type { callctl } from "@callctl/core";

export type RouteDecision = callctl.v1.IRouteDecision;
export type Quote = callctl.v1.IQuote;
export type Authorization = callctl.v1.IAuthorization;
export type Candidate = callctl.v1.ITrunkCandidate;
export type CallEventMsg = callctl.v1.ICallEvent;
export type Reject = callctl.v1.IReject;

export type Phase = "new" | "routing" | "quoting" | "authorizing" | "rejecting" | "announcing" | "dialing" | "bridged" | "ended";
export type HangupBy = "caller" | "callee" | "limit" | "system";
export type TimerName = "limit" | "extend" | "warn" | "priceChange";
export type PlayId = "price" | "reject" | "warn" | "priceChange";

/** Policies of the flow (ARCHITECTURE.md "Rules every part follows": fail safe, and say so). */
export interface FlowConfig {
  /** Call-by-call (postpaid) when credit does not answer in time: allow, capped at this many seconds. */
  failSafeMaxS: number;
  /** Products that are allowed through on a credit failure (all others: deny). */
  failSafeProducts: readonly string[];
  /** Ask credit for more time this long before the granted limit (non-final grants). */
  extendLeadMs: number;
  /** Announce a price change this long before the quote's valid_until (TKG §110(2)). */
  priceChangeLeadMs: number;
  /** What the caller hears before credit runs out. */
  warnPlaylist: readonly string[];
  /** Announcement when the agent itself refuses (fail-safe deny, dependency down). */
  failAnnouncement: string;
  /** Charging starts no earlier than announcement end + this (TKG §110: 3 s), unless the quote says more. */
  chargeDelayMs: number;
  /**
   * Emergency (110/112) and harmonised (115, 116xyz) numbers that routing sends to a brand's
   * emergency trunk: never quoted, never authorized, never announced or charged (seed 001 §2.2,
   * DOMAIN.md §1); the switch-side backstop is set this far out so the call is never cut short.
   */
  emergencyMaxS: number;
}

export const DEFAULT_FLOW_CONFIG: FlowConfig = {
  failSafeMaxS: 600,
  failSafeProducts: ["call-by-call"],
  extendLeadMs: 30_000,
  priceChangeLeadMs: 15_000,
  warnPlaylist: ["credit/low_balance"],
  failAnnouncement: "reject/technical_problem",
  chargeDelayMs: 3000,
  emergencyMaxS: 24 * 3600,
};

export interface CallInfo {
  callId: string;
  caller: string;
  dialed: string;
  node: string;
  driver: string;
  product?: string;
  accountId?: string;
  sessionId?: string;
  /** "" single call, "a"/"b" for callback legs. */
  leg?: string;
}

export interface Attempt {
  n: number;
  trunkId: string;
  gateway: string;
  startedMs: number;
  progressMs: number;
  endedMs: number;
  sipCode: number;
  q850: number;
  disposition: number;
}

export interface CallState {
  phase: Phase;
  info: CallInfo;
  cfg: FlowConfig;
  startedMs: number;
  decision?: RouteDecision;
  quote?: Quote;
  auth?: Authorization;
  reject?: Reject;
  /** Index into decision.candidates of the attempt in progress. */
  candidate: number;
  attempts: Attempt[];
  announcementEndMs: number;
  answerMs: number;
  billableStartMs: number;
  limitMs: number;
  extending: boolean;
  failSafe: boolean;
  endMs: number;
  hangupBy?: HangupBy;
  q850: number;
  sipCode: number;
  disposition: number;
}

export type FlowEvent =
  | { type: "start"; at: number; refuse?: Reject }
  | { type: "routed"; at: number; decision: RouteDecision }
  | { type: "quoted"; at: number; quote: Quote }
  | { type: "authorized"; at: number; auth: Authorization }
  | { type: "failed"; at: number; step: "route" | "quote" | "authorize"; code: string }
  | { type: "playDone"; at: number; id: PlayId; ok: boolean }
  | { type: "progress"; at: number; sipCode?: number }
  | { type: "answered"; at: number }
  | { type: "dialFailed"; at: number; q850: number; sipCode?: number }
  | { type: "timer"; at: number; name: TimerName }
  | { type: "extended"; at: number; auth?: Authorization }
  | { type: "hangup"; at: number; by: HangupBy; q850?: number; sipCode?: number };

export type Command =
  | { kind: "route" }
  | { kind: "quote"; decision: RouteDecision }
  | { kind: "authorize"; decision: RouteDecision; quote: Quote }
  | { kind: "extend"; reservationId: string; usedS: number }
  | { kind: "release"; reservationId: string; reason: string }
  | { kind: "play"; id: PlayId; playlist: string[]; early: boolean }
  | { kind: "dial"; n: number; candidate: Candidate; callerId: string }
  | { kind: "bridge" }
  | { kind: "scheduleHangup"; atMs: number }
  | { kind: "setTimer"; name: TimerName; atMs: number }
  | { kind: "cancelTimer"; name: TimerName }
  | { kind: "hangup"; q850: number; sipCode: number; reason: string }
  | { kind: "publish"; event: CallEventMsg; msgId: string; subjectKind: string };

export interface Step {
  state: CallState;
  commands: Command[];
}
