// Call state from CallEvents and the Cdr built from it. Pure: no I/O, no clock.
// Events may arrive late, twice or out of order (ARCHITECTURE.md "Nothing is lost"): the state
// keeps the first copy of each (leg, kind, attempt n) and ignores repeats, whatever the order.
import { pb, type callctl } from "@callctl/core";
import { billableSeconds, billableStart, rate } from "./rating.ts";

type Ev = callctl.v1.CallEvent;
type Attempt = callctl.v1.RouteAttempt.$Properties;
type CdrProps = callctl.v1.Cdr.$Properties;
const K = pb.CallEventKind;
const D = pb.Disposition;

/** Bumped when a Cdr field changes meaning. 1 = this file. */
export const CDR_SCHEMA_VERSION = 1;

export interface LegState {
  started?: Ev;
  answered?: Ev;
  ended?: Ev;
  attempts: Map<number, Attempt>;
}

export interface CallState {
  callId: string;
  legs: Map<string, LegState>;
  /** Count of events merged, duplicates included. */
  events: number;
  duplicates: number;
}

export function newCallState(callId: string): CallState {
  return { callId, legs: new Map(), events: 0, duplicates: 0 };
}

/** Merges one event. Returns false when it was a duplicate (same leg, kind and attempt number). */
export function addEvent(s: CallState, ev: Ev): boolean {
  s.events++;
  const legName = ev.leg ?? "";
  let leg = s.legs.get(legName);
  if (!leg) {
    leg = { attempts: new Map() };
    s.legs.set(legName, leg);
  }
  switch (ev.kind) {
    case K.STARTED:
      return put(s, leg, "started", ev);
    case K.ANSWERED:
      return put(s, leg, "answered", ev);
    case K.ENDED:
      return put(s, leg, "ended", ev);
    case K.ATTEMPT: {
      const n = ev.attempt?.n || ev.seq || leg.attempts.size + 1;
      if (leg.attempts.has(n)) return dup(s);
      leg.attempts.set(n, { ...(ev.attempt ?? {}), n });
      return true;
    }
    default:
      return dup(s);
  }
}

/** int64 fields decode as numbers or as Long objects (truthy even when zero): always go through this. */
export function n(x: unknown): number {
  return x === null || x === undefined ? 0 : Number(x);
}

// A module function, not a closure in addEvent: tsx (esbuild keepNames) wraps every named
// closure in a __name() call each time it is created, 2% of the assembler's CPU per event.
function put(s: CallState, leg: LegState, k: "started" | "answered" | "ended", ev: Ev): boolean {
  if (leg[k]) return dup(s);
  leg[k] = ev;
  return true;
}

function dup(s: CallState): boolean {
  s.duplicates++;
  return false;
}

/** The STARTED event that describes the call: the single leg's, else leg a's, else any. */
export function mainStarted(s: CallState): Ev | undefined {
  return s.legs.get("")?.started ?? s.legs.get("a")?.started ?? [...s.legs.values()].find((l) => l.started)?.started;
}

/** Every leg seen has ended, or the call was refused before dialling. */
export function isEnded(s: CallState): boolean {
  if (s.legs.size === 0) return false;
  const st = mainStarted(s);
  let answered = false;
  let ended = true;
  for (const l of s.legs.values()) {
    answered ||= !!l.answered;
    ended &&= !!l.ended;
  }
  return (!!st?.reject?.reason && !answered) || ended;
}

/**
 * Nothing is visibly missing: STARTED present, attempts numbered 1..n without gaps, an answered
 * leg has its ANSWERED, and an ENDED that says answered has it too. A complete call is closed at
 * once; an incomplete one waits a short linger for stragglers (assembler.ts).
 */
export function isComplete(s: CallState): boolean {
  if (!mainStarted(s) || !isEnded(s)) return false;
  for (const l of s.legs.values()) {
    for (let i = 1; i <= l.attempts.size; i++) if (!l.attempts.has(i)) return false;
    const endedAnswered = l.ended?.disposition === D.ANSWERED_CALL || [...l.attempts.values()].some((a) => a.disposition === D.ANSWERED_CALL);
    if (endedAnswered && !l.answered) return false;
  }
  return true;
}

/** Epoch ms the call (or its first leg) started, from the events; 0 if unknown. */
export function startedAt(s: CallState): number {
  let t = 0;
  for (const l of s.legs.values()) {
    const v = n(l.started?.startedMs) || n(l.started?.atMs);
    if (v && (!t || v < t)) t = v;
  }
  return t;
}

export function answeredAt(s: CallState): number {
  let t = 0;
  for (const l of s.legs.values()) {
    const v = n(l.answered?.answerMs) || n(l.answered?.atMs);
    if (v && (!t || v < t)) t = v;
  }
  return t;
}

export interface BuildOptions {
  /** Set when the call is closed by the timeout rule because ENDED never came. */
  closedByTimeout?: boolean;
  /**
   * An answered call whose price announcement is not on record (announcement_end_ms = 0 although
   * the quote had one to play): "free" does not charge it (DOMAIN.md §3: without the announcement
   * the call need not be paid), "from_answer" bills from answer + delay.
   */
  unannounced?: "free" | "from_answer";
  node?: string;
}

/** Builds the Cdr: one record per call; a callback's legs are in `legs` and summed at the top. */
export function buildCdr(s: CallState, opts: BuildOptions = {}): CdrProps {
  const named = [...s.legs.keys()].filter((n) => n !== "").sort();
  if (named.length < 2) {
    // One leg (or a call-level STARTED plus one named leg): fold everything into one record.
    const merged: LegState = { attempts: new Map() };
    for (const l of s.legs.values()) {
      merged.started ??= l.started;
      merged.answered ??= l.answered;
      merged.ended ??= l.ended;
      for (const [n, a] of l.attempts) if (!merged.attempts.has(n)) merged.attempts.set(n, a);
    }
    return legCdr(s, merged, named[0] ?? "", opts);
  }
  const names = named;
  const main = mainStarted(s);
  const legs = names.filter((n) => n !== "").map((n) => {
    const l = s.legs.get(n)!;
    return legCdr(s, { ...l, started: l.started ?? main }, n, opts);
  });
  const top = legCdr(s, { attempts: new Map(), started: main }, "", opts);
  const b = legs.find((l) => l.leg === "b") ?? legs[legs.length - 1]!;
  const a = legs.find((l) => l.leg === "a") ?? legs[0]!;
  const sum = (f: (c: CdrProps) => number) => legs.reduce((acc, l) => acc + f(l), 0);
  return {
    ...top,
    answerMs: a.answerMs,
    announcementEndMs: n(a.announcementEndMs) || n(b.announcementEndMs),
    endMs: Math.max(...legs.map((l) => Number(l.endMs ?? 0))),
    durationS: sum((l) => Number(l.durationS ?? 0)),
    billableStartMs: a.billableStartMs,
    billedS: sum((l) => Number(l.billedS ?? 0)),
    amountMicro: sum((l) => Number(l.amountMicro ?? 0)),
    vatMicro: sum((l) => Number(l.vatMicro ?? 0)),
    disposition: b.disposition,
    q850: b.q850,
    sipCode: b.sipCode,
    attempts: legs.flatMap((l) => l.attempts ?? []),
    pddMs: b.pddMs,
    closedByTimeout: legs.some((l) => l.closedByTimeout),
    legs,
  };
}

function legCdr(s: CallState, l: LegState, legName: string, opts: BuildOptions): CdrProps {
  const st = l.started;
  const q = st?.quote ?? null;
  const attempts = [...l.attempts.values()].sort((x, y) => Number(x.n) - Number(y.n));
  const answerMs = n(l.answered?.answerMs) || n(l.answered?.atMs);
  const annEnd = n(l.answered?.announcementEndMs);
  const endMs = n(l.ended?.endMs) || n(l.ended?.atMs);
  const timedOut = !l.ended && !st?.reject?.reason && !!opts.closedByTimeout;
  const announcementDue = !!q && !q.free && (Number(q.announcementMs ?? 0) > 0 || (q.playlist?.length ?? 0) > 0);
  let bStart = billableStart(answerMs, annEnd, q);
  if (answerMs && !annEnd && announcementDue && (opts.unannounced ?? "free") === "free") bStart = 0;
  // A timed-out call has no proven end: nothing is billed (the provider bears the burden of
  // proof for charges, § 45i TKG; DOMAIN.md §7.2 CGRateS session_ttl closes such sessions).
  const d = timedOut ? 0 : billableSeconds(bStart, endMs);
  const rated = rate(q, d, bStart);
  const last = attempts[attempts.length - 1];
  return {
    schemaVersion: CDR_SCHEMA_VERSION,
    callId: s.callId,
    brand: st?.brand ?? "",
    carrierCode: st?.carrierCode ?? "",
    product: st?.product ?? "",
    accountId: st?.accountId ?? "",
    caller: st?.caller ?? "",
    dialed: st?.dialed ?? "",
    destination: st?.destination ?? null,
    tariff: q,
    startedMs: n(st?.startedMs) || n(st?.atMs),
    announcementEndMs: annEnd,
    answerMs,
    endMs,
    durationS: answerMs && endMs > answerMs ? Math.floor((endMs - answerMs) / 1000) : 0,
    billableStartMs: bStart,
    billedS: rated.billedS,
    amountMicro: rated.amountMicro,
    vatMicro: rated.vatMicro,
    disposition: disposition(l, st, answerMs, last),
    q850: l.ended?.q850 || last?.q850 || st?.reject?.q850 || 0,
    sipCode: l.ended?.sipCode || last?.sipCode || 0,
    attempts,
    node: st?.node || l.ended?.node || opts.node || "",
    pddMs: pdd(attempts),
    closedByTimeout: timedOut,
    legs: [],
    reservationId: st?.reservationId ?? "",
    settlement: "",
    leg: legName,
  };
}

function disposition(l: LegState, st: Ev | undefined, answerMs: number, last: Attempt | undefined): number {
  if (l.ended?.disposition) return l.ended.disposition;
  if (answerMs) return D.ANSWERED_CALL;
  if (st?.reject?.reason) return D.REJECTED;
  if (last?.disposition) return last.disposition;
  return D.FAILED;
}

/** PDD (DOMAIN.md §5): first INVITE → first 18x, else → final response; the announcement before
 * dialling is excluded because the clock starts at the first attempt. */
export function pdd(attempts: Attempt[]): number {
  const first = attempts[0];
  if (!first || !n(first.startedMs)) return 0;
  const progress = attempts.find((a) => n(a.progressMs) > 0)?.progressMs;
  const to = n(progress) || n(attempts[attempts.length - 1]?.endedMs);
  return to > n(first.startedMs) ? to - n(first.startedMs) : 0;
}
