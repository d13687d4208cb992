// A Cdr as a row of the sink's `cdrs` table (migrations/001_init.sql).
import { pb, type callctl } from "@callctl/core";
import { n } from "../assemble.ts";

type Cdr = callctl.v1.Cdr;

/** A number minus its last three digits; the TS twin of SQL shorten_number() (DOMAIN.md §4). */
export function shortenNumber(s: string): string {
  if (!s) return s;
  return s.length <= 3 ? "x".repeat(s.length) : `${s.slice(0, -3)}xxx`;
}

const D = pb.Disposition;
const TARIFF_JSON = { longs: Number, enums: String } as const;
const dispositionName = (d: number) => (D[d] as string | undefined) ?? "DISPOSITION_UNSPECIFIED";

function legSummary(l: Cdr | callctl.v1.Cdr.$Properties, shorten: boolean) {
  return {
    leg: l.leg ?? "",
    dialed: shorten ? shortenNumber(l.dialed ?? "") : (l.dialed ?? ""),
    e164: shorten ? shortenNumber(l.destination?.e164 ?? "") : (l.destination?.e164 ?? ""),
    answer_ms: n(l.answerMs),
    end_ms: n(l.endMs),
    billed_s: n(l.billedS),
    amount_micro: n(l.amountMicro),
    disposition: dispositionName(n(l.disposition)),
  };
}

export function cdrRow(c: Cdr, streamSeq: number, shorten: boolean): Record<string, unknown> {
  const q = c.tariff;
  return {
    call_id: c.callId,
    schema_version: c.schemaVersion,
    brand: c.brand,
    carrier_code: c.carrierCode,
    product: c.product,
    account_id: c.accountId,
    caller: c.caller,
    dialed: shorten ? shortenNumber(c.dialed) : c.dialed,
    dest_e164: shorten ? shortenNumber(c.destination?.e164 ?? "") : (c.destination?.e164 ?? ""),
    dest_country: c.destination?.country ?? "",
    dest_type: pb.NumberType[n(c.destination?.numberType)] ?? "NUMBER_TYPE_UNSPECIFIED",
    dest_zone: c.destination?.zone ?? "",
    tariff_id: q?.tariffId ?? "",
    price_per_min_micro: n(q?.pricePerMinMicro),
    first_increment_s: n(q?.firstIncrementS),
    next_increment_s: n(q?.nextIncrementS),
    connect_fee_micro: n(q?.connectFeeMicro),
    vat_rate_bp: n(q?.vatRateBp),
    // a decoded Cdr's tariff is already a Quote: no fromObject copy per row (sink profile)
    tariff: q ? pb.Quote.toObject(q instanceof pb.Quote ? q : pb.Quote.fromObject(q), TARIFF_JSON) : {},
    started_ms: n(c.startedMs),
    announcement_end_ms: n(c.announcementEndMs),
    answer_ms: n(c.answerMs),
    end_ms: n(c.endMs),
    duration_s: n(c.durationS),
    billable_start_ms: n(c.billableStartMs),
    billed_s: n(c.billedS),
    amount_micro: n(c.amountMicro),
    vat_micro: n(c.vatMicro),
    disposition: dispositionName(n(c.disposition)),
    q850: n(c.q850),
    sip_code: n(c.sipCode),
    attempts: (c.attempts ?? []).map((a) => ({ n: n(a.n), trunk_id: a.trunkId, sip_code: n(a.sipCode), q850: n(a.q850), started_ms: n(a.startedMs), progress_ms: n(a.progressMs), ended_ms: n(a.endedMs), disposition: dispositionName(n(a.disposition)) })),
    legs: (c.legs ?? []).map((l) => legSummary(l, shorten)),
    node: c.node,
    pdd_ms: n(c.pddMs),
    closed_by_timeout: c.closedByTimeout,
    reservation_id: c.reservationId,
    settlement: c.settlement,
    leg: c.leg,
    stream_seq: streamSeq,
    shortened: shorten,
  };
}

/** The column list the sink writes (everything but inserted_at and invoiced_at). */
export const ROW_COLUMNS = Object.keys(cdrRow(pb.Cdr.create({}), 0, false));
