// Settlement: the final debit (commit) or the release of an unanswered call's reservation, over the
// credit contract only (proto/callctl/v1/credit.proto). Credit is idempotent by call id, so a
// retry after a crash or a timeout changes nothing (ARCHITECTURE.md wire table).
import { CallctlError, pb, request, type NatsConnection, type callctl } from "@callctl/core";

type Cdr = callctl.v1.Cdr.$Properties;

export type Settlement = "COMMITTED" | "RELEASED" | "FAILED" | "NONE";

export interface SettleOptions {
  commitSubject: string;
  releaseSubject: string;
  timeoutMs: number;
}

/** What settlement does with a Cdr: commit a debit when anything was billed, else release. */
export function settlementAction(c: Cdr): "commit" | "release" | "none" {
  if (!c.reservationId) return "none";
  return Number(c.billedS ?? 0) > 0 || Number(c.amountMicro ?? 0) > 0 ? "commit" : "release";
}

export interface SettleResult {
  settlement: Settlement;
  debitedMicro: number;
  duplicate: boolean;
  error?: string;
}

/**
 * One settlement attempt. A retryable failure (deadline, no responder, a retryable remote error)
 * throws, and the caller retries later while still holding the events; a definitive refusal by
 * credit gives FAILED, which is recorded in the Cdr for the billing department.
 */
export async function settle(nc: NatsConnection, c: Cdr, opts: SettleOptions, atMs = Date.now()): Promise<SettleResult> {
  const action = settlementAction(c);
  if (action === "none") return { settlement: "NONE", debitedMicro: 0, duplicate: false };
  let res: callctl.v1.CommitResult.$Properties;
  try {
    res =
      action === "commit"
        ? await request(nc, opts.commitSubject, pb.CommitRequest, { callId: c.callId, reservationId: c.reservationId, billedS: c.billedS, amountMicro: c.amountMicro, atMs }, pb.CommitResult, { timeoutMs: opts.timeoutMs })
        : await request(nc, opts.releaseSubject, pb.ReleaseRequest, { callId: c.callId, reservationId: c.reservationId, reason: releaseReason(c) }, pb.CommitResult, { timeoutMs: opts.timeoutMs });
  } catch (err) {
    if (err instanceof CallctlError && !err.retryable) return { settlement: "FAILED", debitedMicro: 0, duplicate: false, error: err.code };
    throw err;
  }
  if (!res.ok) {
    if (res.error?.retryable) throw new CallctlError(res.error.code || "UNAVAILABLE", res.error.message || "credit refused", { retryable: true });
    return { settlement: "FAILED", debitedMicro: 0, duplicate: !!res.duplicate, error: res.error?.code || "NOT_OK" };
  }
  return { settlement: action === "commit" ? "COMMITTED" : "RELEASED", debitedMicro: Number(res.debitedMicro ?? 0), duplicate: !!res.duplicate };
}

function releaseReason(c: Cdr): string {
  if (c.closedByTimeout) return "CLOSED_BY_TIMEOUT";
  return pb.Disposition[Number(c.disposition ?? 0)] ?? "NOT_ANSWERED";
}
