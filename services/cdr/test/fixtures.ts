// Call-event fixtures shared by the CDR tests, the crash test driver and the benchmark.
import { eventMsgId, pb, type callctl } from "@callctl/core";

type Ev = callctl.v1.CallEvent.$Properties;
const K = pb.CallEventKind;
const D = pb.Disposition;

export const QUOTE_60_60: callctl.v1.Quote.$Properties = {
  tariffId: "01097-2025-01",
  brand: "01097",
  zone: "AT_MOBILE",
  pricePerMinMicro: 39_000, // 3.9 ct/min incl. VAT
  firstIncrementS: 60,
  nextIncrementS: 60,
  connectFeeMicro: 0,
  vatRateBp: 1900,
  unit: pb.PriceUnit.CENT,
  announcementMs: 4_000,
  playlist: ["price/intro"],
  chargeDelayMs: 3_000,
};

export interface CallSpec {
  callId: string;
  brand?: string;
  account?: string;
  t0?: number;
  /** Seconds talked after billable start; undefined = not answered. */
  talkS?: number;
  /** Extra ms after billable start (the fraction that must not be billed). */
  talkExtraMs?: number;
  failedAttempts?: number;
  quote?: callctl.v1.Quote.$Properties;
  reservationId?: string;
  dialed?: string;
  e164?: string;
  numberType?: number;
  disposition?: number;
  maxDurationS?: number;
}

/** The events of one call in publication order, with their message ids. */
export function callEvents(s: CallSpec): { subjectKind: string; msgId: string; ev: Ev }[] {
  const t0 = s.t0 ?? 1_760_000_000_000;
  const q = s.quote ?? QUOTE_60_60;
  const out: { subjectKind: string; msgId: string; ev: Ev }[] = [];
  const e164 = s.e164 ?? "436641234567";
  const push = (kind: string, ev: Ev, n?: number) => out.push({ subjectKind: kind, msgId: eventMsgId(s.callId, kind, n), ev: { callId: s.callId, node: "node1", driver: "esl", ...ev } });
  push("started", {
    kind: K.STARTED, atMs: t0, startedMs: t0, brand: s.brand ?? "01097", carrierCode: s.brand ?? "01097", product: "cbc", accountId: s.account ?? "acct-1",
    caller: "4930123456", dialed: `01097${"00" + e164}`, destination: { e164, country: "AT", numberType: s.numberType ?? pb.NumberType.MOBILE, zone: "AT_MOBILE" },
    quote: q, reservationId: s.reservationId ?? `res-${s.callId}`, maxDurationS: s.maxDurationS ?? 3600,
  });
  const annEnd = t0 + Number(q.announcementMs ?? 0);
  let at = annEnd + 100;
  const fails = s.failedAttempts ?? 0;
  for (let n = 1; n <= fails; n++) {
    push("attempt", { kind: K.ATTEMPT, seq: n, atMs: at + 500, attempt: { n, trunkId: `trunk${n}`, sipCode: 503, q850: 41, startedMs: at, progressMs: 0, endedMs: at + 500, disposition: D.FAILED } }, n);
    at += 600;
  }
  const n = fails + 1;
  const answered = s.talkS !== undefined;
  const answerMs = at + 2_000;
  push("attempt", { kind: K.ATTEMPT, seq: n, atMs: answerMs, attempt: { n, trunkId: `trunk${n}`, sipCode: answered ? 200 : 486, q850: answered ? 16 : 17, startedMs: at, progressMs: at + 800, endedMs: answered ? answerMs : at + 900, disposition: answered ? D.ANSWERED_CALL : (s.disposition ?? D.BUSY) } }, n);
  if (answered) {
    push("answered", { kind: K.ANSWERED, atMs: answerMs, answerMs, announcementEndMs: annEnd });
    const billable = Math.max(answerMs, annEnd + Number(q.chargeDelayMs || 3000));
    const end = billable + (s.talkS ?? 0) * 1000 + (s.talkExtraMs ?? 0);
    push("ended", { kind: K.ENDED, atMs: end, endMs: end, q850: 16, sipCode: 200, disposition: D.ANSWERED_CALL, hangupBy: "caller" });
  } else {
    push("ended", { kind: K.ENDED, atMs: at + 900, endMs: at + 900, q850: 17, sipCode: 486, disposition: s.disposition ?? D.BUSY, hangupBy: "callee" });
  }
  return out;
}

export function decodeEvents(list: { ev: Ev }[]): callctl.v1.CallEvent[] {
  return list.map((x) => pb.CallEvent.decode(pb.CallEvent.encode(x.ev).finish()));
}
