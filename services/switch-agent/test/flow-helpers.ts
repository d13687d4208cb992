// Helpers for driving the pure CallFlow in tests: canned decisions, quotes, grants, and a runner
// that feeds a list of events and collects every command.
import { pb, type callctl } from "@callctl/core";
import { newCall, step } from "../src/flow/callflow.ts";
import { DEFAULT_FLOW_CONFIG, type CallState, type Command, type FlowEvent, type Quote, type RouteDecision } from "../src/flow/types.ts";

export const T0 = 1_800_000_000_000;

export function decision(n = 2, over: Partial<RouteDecision> = {}): RouteDecision {
  return {
    callId: "c1", outcome: pb.RouteOutcome.ROUTE, brand: "01097", carrierCode: "01097", product: "call-by-call", accountId: "acc1",
    destination: { e164: "436641234567", country: "AT", numberType: pb.NumberType.MOBILE, zone: "AT-MOB" },
    candidates: Array.from({ length: n }, (_, i) => ({ trunkId: `t${i + 1}`, gateway: `gw${i + 1}`, dialNumber: "436641234567", timeoutMs: 30_000 })),
    ...over,
  };
}

export function quote(over: Partial<Quote> = {}): Quote {
  return { callId: "c1", pricePerMinMicro: 39_000, firstIncrementS: 60, nextIncrementS: 60, playlist: ["price/intro", "num/3", "price/ct"], announcementMs: 4000, chargeDelayMs: 3000, ...over };
}

export const grant = (maxS = 600, over: Partial<callctl.v1.IAuthorization> = {}) => ({ callId: "c1", outcome: pb.AuthOutcome.GRANT, maxDurationS: maxS, reservationId: "r1", ...over });

export function start(product = "call-by-call"): CallState {
  return newCall({ callId: "c1", caller: "4930123456", dialed: "010970043664123456", node: "n1", driver: "test", product }, T0, DEFAULT_FLOW_CONFIG);
}

export interface Run {
  state: CallState;
  commands: Command[];
  kinds: string[];
  published: callctl.v1.ICallEvent[];
  msgIds: string[];
}

export function run(events: FlowEvent[], s: CallState = start()): Run {
  const commands: Command[] = [];
  for (const ev of events) {
    const r = step(s, ev);
    s = r.state;
    commands.push(...r.commands);
  }
  const pubs = commands.filter((c): c is Extract<Command, { kind: "publish" }> => c.kind === "publish");
  return { state: s, commands, kinds: commands.map((c) => (c.kind === "publish" ? `publish:${c.subjectKind}` : c.kind)), published: pubs.map((p) => p.event), msgIds: pubs.map((p) => p.msgId) };
}

/** Events up to the start of the first dial (route, quote, grant, announcement played at T0+5 s). */
export function toDial(q: Quote = quote(), maxS = 600, over: Partial<callctl.v1.IAuthorization> = {}, d = decision()): FlowEvent[] {
  return [
    { type: "start", at: T0 },
    { type: "routed", at: T0 + 1, decision: d },
    { type: "quoted", at: T0 + 2, quote: q },
    { type: "authorized", at: T0 + 3, auth: grant(maxS, over) },
    { type: "playDone", at: T0 + 5000, id: "price", ok: true },
  ];
}
