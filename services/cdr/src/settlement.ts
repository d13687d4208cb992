// Settlement: the final debit (commit) or the release of an unanswered call's reservation, over the
// credit contract only (proto/callctl/v1/credit.proto). Credit is idempotent by call id, so a
// retry after a crash or a timeout changes nothing (ARCHITECTURE.md wire table). settleMany()
// settles many calls in one request (callctl.credit.settle.batch) with the same per-call outcome
// as settle(); against a credit service without that endpoint it falls back to settle() per call.
import { CallctlError, pb, request, type NatsConnection, type callctl } from "@callctl/core";

type Cdr = callctl.v1.Cdr.$Properties;

export type Settlement = "COMMITTED" | "RELEASED" | "FAILED" | "NONE";

export interface SettleOptions {
  commitSubject: string;
  releaseSubject: string;
  /** callctl.credit.settle.batch; without it settleMany() settles call by call. */
  batchSubject?: string;
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
  return outcome(action, res);
}

/** A CommitResult as a SettleResult; a retryable refusal throws (the caller retries the call). */
function outcome(action: "commit" | "release", res: callctl.v1.ICommitResult): SettleResult {
  if (!res.ok) {
    if (res.error?.retryable) throw new CallctlError(res.error.code || "UNAVAILABLE", res.error.message || "credit refused", { retryable: true });
    return { settlement: "FAILED", debitedMicro: 0, duplicate: !!res.duplicate, error: res.error?.code || "NOT_OK" };
  }
  return { settlement: action === "commit" ? "COMMITTED" : "RELEASED", debitedMicro: Number(res.debitedMicro ?? 0), duplicate: !!res.duplicate };
}

/**
 * One settlement attempt for many calls: results[i] is Cdr i's SettleResult, or the retryable
 * error that call must be retried with (the others are done). A retryable failure of the whole
 * request throws. A credit service without the batch endpoint (no responder) or refusing the
 * request as a whole gets the calls one by one, as settle() would.
 */
export async function settleMany(nc: NatsConnection, cdrs: Cdr[], opts: SettleOptions, atMs = Date.now()): Promise<(SettleResult | CallctlError)[]> {
  const out: (SettleResult | CallctlError)[] = new Array(cdrs.length);
  const items: callctl.v1.ISettleItem[] = [];
  const at: number[] = [];
  cdrs.forEach((c, i) => {
    const action = settlementAction(c);
    if (action === "none") out[i] = { settlement: "NONE", debitedMicro: 0, duplicate: false };
    else {
      items.push(action === "commit" ? { commit: { callId: c.callId, reservationId: c.reservationId, billedS: c.billedS, amountMicro: c.amountMicro, atMs } } : { release: { callId: c.callId, reservationId: c.reservationId, reason: releaseReason(c) } });
      at.push(i);
    }
  });
  if (!items.length) return out;
  let res: callctl.v1.ISettleBatchResult | undefined;
  if (opts.batchSubject) {
    try {
      res = await request(nc, opts.batchSubject, pb.SettleBatchRequest, { items }, pb.SettleBatchResult, { timeoutMs: opts.timeoutMs });
    } catch (err) {
      if (!(err instanceof CallctlError) || (err.retryable && err.code !== "NO_RESPONDER")) throw err;
    }
  }
  const results = res?.results ?? [];
  if (!res || results.length !== items.length) {
    await Promise.all(at.map(async (i) => (out[i] = await settle(nc, cdrs[i]!, opts, atMs).catch((e: unknown) => asRetryable(e)))));
    return out;
  }
  at.forEach((i, k) => {
    try {
      out[i] = outcome(items[k]!.commit ? "commit" : "release", results[k]!);
    } catch (e) {
      out[i] = asRetryable(e);
    }
  });
  return out;
}

function asRetryable(e: unknown): CallctlError {
  return e instanceof CallctlError ? e : new CallctlError("UNAVAILABLE", (e as Error)?.message ?? "settlement failed", { retryable: true, cause: e });
}

function releaseReason(c: Cdr): string {
  if (c.closedByTimeout) return "CLOSED_BY_TIMEOUT";
  return pb.Disposition[Number(c.disposition ?? 0)] ?? "NOT_ANSWERED";
}
