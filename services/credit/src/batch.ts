// Settlement of many calls in one request (callctl.credit.settle.batch, for the CDR assembler):
// each item is a commit or a release validated and mapped exactly like the single-call endpoints,
// and all scripts go to Redis in one pipeline. Per-item refusals (bad input, unknown reservation)
// are that item's CommitResult.error and change nothing; only Redis being unreachable fails the
// whole batch (a retryable UNAVAILABLE), and a retried batch repeats only idempotent duplicates.
import { CallctlError, type callctl, pb, ValidationError } from "@callctl/core";
import type { CreditStore } from "./store.ts";

/** Items per request at most: bounds one pipeline's Redis time and the reply size. */
export const MAX_SETTLE_BATCH = 5_000;

type Item = callctl.v1.ISettleItem;

export async function settleBatch(store: CreditStore, req: callctl.v1.ISettleBatchRequest): Promise<callctl.v1.SettleBatchResult> {
  const items = req.items ?? [];
  if (items.length > MAX_SETTLE_BATCH) throw new ValidationError(`at most ${MAX_SETTLE_BATCH} items per batch`, { field: "items" });
  const results: callctl.v1.CommitResult[] = new Array(items.length);
  const calls: ["commit" | "release", (string | number)[]][] = [];
  const at: number[] = [];
  items.forEach((it, i) => {
    try {
      const op = opOf(it);
      calls.push(op === "commit" ? ["commit", store.commitArgs(it.commit!)] : ["release", store.releaseArgs(it.release!)]);
      at.push(i);
    } catch (err) {
      results[i] = failed(idOf(it), err);
    }
  });
  const replies = calls.length ? await store.runPipelined(calls) : [];
  replies.forEach(([err, r], k) => {
    const i = at[k]!;
    const it = items[i]!;
    try {
      if (err) throw new CallctlError("INTERNAL", "credit script failed", { cause: err });
      results[i] = it.commit ? store.commitReply(it.commit, r!) : store.releaseReply(it.release!, r!);
    } catch (e) {
      if (!(e instanceof CallctlError) || e.code === "INTERNAL") store.log?.error({ err: e, call_id: idOf(it) }, "credit: batch item failed");
      results[i] = failed(idOf(it), e);
    }
  });
  return pb.SettleBatchResult.create({ results });
}

function opOf(it: Item): "commit" | "release" {
  if (!!it.commit === !!it.release) throw new ValidationError("a settle item has exactly one of commit and release", { field: "items" });
  return it.commit ? "commit" : "release";
}

function idOf(it: Item): string {
  return it.commit?.callId ?? it.release?.callId ?? "";
}

function failed(callId: string, e: unknown): callctl.v1.CommitResult {
  const err = e instanceof CallctlError ? e : new CallctlError("INTERNAL", "internal error", { cause: e });
  return pb.CommitResult.create({ callId, ok: false, error: { code: err.code, message: err.message, retryable: err.retryable } });
}
