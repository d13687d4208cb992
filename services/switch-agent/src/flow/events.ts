// CallEvents the flow publishes to the CALLS stream (ARCHITECTURE.md wire table): one builder per
// kind, message id `<call_id>:<kind>[:<n>]` so a retried publish is deduplicated by JetStream.
import { eventMsgId, pb } from "@callctl/core";
import type { Attempt, CallEventMsg, CallState, Command } from "./types.ts";

function base(s: CallState, kind: number, at: number): CallEventMsg {
  return { callId: s.info.callId, kind, atMs: at, node: s.info.node, driver: s.info.driver, leg: s.info.leg ?? "", sessionId: s.info.sessionId ?? "" };
}

function publish(s: CallState, event: CallEventMsg, name: string, n?: number): Command {
  const id = s.info.leg ? `${s.info.callId}:${s.info.leg}` : s.info.callId;
  return { kind: "publish", event, msgId: eventMsgId(id, name, n), subjectKind: name };
}

export function startedEvent(s: CallState, at: number): Command {
  const d = s.decision;
  const ev: CallEventMsg = {
    ...base(s, pb.CallEventKind.STARTED, at),
    brand: d?.brand ?? "",
    carrierCode: d?.carrierCode ?? "",
    product: d?.product || s.info.product || "",
    accountId: d?.accountId || s.info.accountId || "",
    caller: s.info.caller,
    dialed: s.info.dialed,
    destination: d?.destination ?? null,
    quote: s.quote ?? null,
    reservationId: s.auth?.reservationId ?? "",
    maxDurationS: s.auth?.maxDurationS ?? 0,
    reject: s.reject ?? null,
    startedMs: s.startedMs,
  };
  return publish(s, ev, "started");
}

export function attemptEvent(s: CallState, a: Attempt): Command {
  const ev: CallEventMsg = {
    ...base(s, pb.CallEventKind.ATTEMPT, a.endedMs),
    seq: a.n,
    attempt: { n: a.n, trunkId: a.trunkId, sipCode: a.sipCode, q850: a.q850, startedMs: a.startedMs, progressMs: a.progressMs, endedMs: a.endedMs, disposition: a.disposition },
  };
  return publish(s, ev, "attempt", a.n);
}

export function answeredEvent(s: CallState): Command {
  const ev: CallEventMsg = { ...base(s, pb.CallEventKind.ANSWERED, s.answerMs), answerMs: s.answerMs, announcementEndMs: s.announcementEndMs };
  return publish(s, ev, "answered");
}

export function endedEvent(s: CallState): Command {
  const ev: CallEventMsg = {
    ...base(s, pb.CallEventKind.ENDED, s.endMs),
    endMs: s.endMs,
    answerMs: s.answerMs,
    announcementEndMs: s.announcementEndMs,
    q850: s.q850,
    sipCode: s.sipCode,
    disposition: s.disposition,
    hangupBy: s.hangupBy ?? "system",
    startedMs: s.startedMs,
  };
  return publish(s, ev, "ended");
}
