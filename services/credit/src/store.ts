// CreditStore: the online charging logic (DOMAIN.md §7, Diameter credit control) over Redis.
// authorize = CCR-I, extend = CCR-U, commit = CCR-T, release = CCR-T without usage. Money moves
// only inside the Lua scripts; this file validates, resolves the account and maps the replies.
import { randomUUID } from "node:crypto";
import { type callctl, type Logger, pb, ValidationError } from "@callctl/core";
import type { Meter } from "@opentelemetry/api";
import type { Redis } from "ioredis";
import { RedisUnavailableError, scriptError } from "./errors.ts";
import { adRatio, type CreditPolicy, DEFAULT_POLICY } from "./policy.ts";
import { pipelined, scripts, type ScriptName } from "./scripts.ts";
import { calendarKeys } from "./time.ts";

export interface CreditStoreOptions {
  redis: Redis;
  /** Key prefix; tests use a unique one each. */
  prefix?: string;
  policy?: CreditPolicy;
  /** Epoch ms; tests inject a clock to let reservations and sessions expire. */
  clock?: () => number;
  log?: Logger;
  meter?: Meter;
}

/** Deny reasons, each with Q.850 cause 21 (SIP 402/403 class: a policy refusal, not a network fault). */
export const DENY_REASONS = ["NO_CREDIT", "ACCOUNT_BLOCKED", "LIMIT_EXCEEDED", "UNKNOWN_ACCOUNT", "SESSION_EXPIRED", "DESTINATION_NOT_ALLOWED", "RESERVATION_CLOSED", "CREDIT_UNAVAILABLE"] as const;

export function reject(reason: string, detail = ""): callctl.v1.IReject {
  // CREDIT_UNAVAILABLE is our own failure: Q.850 41 (temporary failure), counted as network class.
  return { reason, q850: reason === "CREDIT_UNAVAILABLE" ? 41 : 21, announcement: `reject/${reason.toLowerCase()}`, detail };
}

const SAFE_ID = /^[A-Za-z0-9:_.+@-]{1,128}$/;
const POSTPAID_PRODUCTS = new Set(["postpaid", "callbycall", "cbc"]);
/** Product ids of the routing config ("call-by-call", "ad-funded", ...) compared without separators. */
const productOf = (p: string | null | undefined) => (p ?? "").toLowerCase().replace(/[-_ ]/g, "");

function checkId(field: string, v: string, required: boolean): void {
  if (!v && !required) return;
  if (!SAFE_ID.test(v)) throw new ValidationError(`${field} must be 1-128 of A-Z a-z 0-9 : _ . + @ -`, { field });
}

export class CreditStore {
  readonly redis: Redis;
  readonly prefix: string;
  policy: CreditPolicy;
  readonly clock: () => number;
  readonly log: Logger | undefined;
  readonly #run: (name: ScriptName, argv: (string | number)[]) => Promise<(string | number)[]>;
  readonly #m;

  constructor(opts: CreditStoreOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix ?? "cc:";
    this.policy = opts.policy ?? DEFAULT_POLICY;
    this.clock = opts.clock ?? Date.now;
    this.log = opts.log;
    const run = scripts(opts.redis);
    this.#run = (name, argv) => this.#deadline(run(name, [this.prefix, ...argv]));
    const meter = opts.meter;
    this.#m = meter && {
      auth: meter.createCounter("credit_authorize_total", { description: "authorize outcomes by reason" }),
      failSafe: meter.createCounter("credit_fail_safe_total", { description: "decisions taken by the fail-safe policy while Redis was unreachable" }),
      negative: meter.createCounter("credit_negative_balance_total", { description: "commits that left a prepaid balance negative (002 §5.4)" }),
      spike: meter.createCounter("credit_usage_spike_total", { description: "accounts flagged for usage far above their 3-month average (001 §4.1.4 c)" }),
      commit: meter.createCounter("credit_commit_total", { description: "commits and releases, duplicates included" }),
    };
  }

  setPolicy(p: CreditPolicy): void {
    this.policy = p;
  }

  /** Runs a script (for the admin helpers). */
  run(name: ScriptName, argv: (string | number)[]): Promise<(string | number)[]> {
    return this.#run(name, argv);
  }

  async #deadline<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.policy.failSafe.redisTimeoutMs;
    try {
      return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`redis: no reply within ${ms} ms`)), ms)))]);
    } catch (err) {
      if (err instanceof Error && /ERR|WRONGTYPE|NOSCRIPT/.test(err.message) && !/no reply/.test(err.message)) throw err;
      throw new RedisUnavailableError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Account resolution: explicit id, PIN (calling card), web session (ad-funded), or CLI (call-by-call). */
  async resolve(req: callctl.v1.IAuthorizeRequest): Promise<{ acct: string; autocreate: boolean } | { deny: string }> {
    const id = req.accountId ?? "";
    const product = productOf(req.product);
    if (product === "adfunded" || (!id && req.sessionId)) return req.sessionId ? { acct: `ad:${req.sessionId}`, autocreate: false } : { deny: "SESSION_EXPIRED" };
    if (id.startsWith("pin:")) {
      const acct = await this.#deadline(this.redis.get(`${this.prefix}pin:${id.slice(4)}`));
      return acct ? { acct, autocreate: false } : { deny: "UNKNOWN_ACCOUNT" };
    }
    if (id) return { acct: id, autocreate: id.startsWith("cli:") };
    if (req.caller && (product === "" || POSTPAID_PRODUCTS.has(product))) return { acct: `cli:${req.caller}`, autocreate: true };
    return { deny: "UNKNOWN_ACCOUNT" };
  }

  validateAuthorize(req: callctl.v1.IAuthorizeRequest): void {
    checkId("call_id", req.callId ?? "", true);
    checkId("account_id", req.accountId ?? "", false);
    checkId("session_id", req.sessionId ?? "", false);
    if (req.caller && !/^\d{1,15}$/.test(req.caller)) throw new ValidationError("caller must be E.164 digits without +", { field: "caller" });
    const ppm = Number(req.pricePerMinMicro ?? 0);
    const fee = Number(req.connectFeeMicro ?? 0);
    if (!Number.isSafeInteger(ppm) || ppm < 0 || ppm > 100_000_000) throw new ValidationError("price_per_min_micro must be 0..100000000", { field: "price_per_min_micro" });
    if (!Number.isSafeInteger(fee) || fee < 0 || fee > 100_000_000) throw new ValidationError("connect_fee_micro must be 0..100000000", { field: "connect_fee_micro" });
    if ((req.firstIncrementS ?? 0) > 3600 || (req.nextIncrementS ?? 0) > 3600) throw new ValidationError("increments must be at most 3600 s", { field: "first_increment_s" });
    if ((req.legs ?? 0) > 2) throw new ValidationError("legs must be 1 or 2", { field: "legs" });
    if (req.destination?.zone && !/^[A-Z0-9_]{1,32}$/.test(req.destination.zone)) throw new ValidationError("destination.zone must be a zone id", { field: "destination.zone" });
  }

  async authorize(req: callctl.v1.IAuthorizeRequest): Promise<callctl.v1.Authorization> {
    this.validateAuthorize(req);
    const callId = req.callId as string;
    const now = Number(req.atMs) || this.clock();
    const p = this.policy;
    let who: Awaited<ReturnType<CreditStore["resolve"]>>;
    try {
      who = await this.resolve(req);
      if ("deny" in who) return this.#deny(callId, who.deny, "", "");
      const legs = Math.max(1, req.legs ?? 1); // callback: both legs reserved before dialing (DOMAIN.md §7)
      const a = req.firstIncrementS || 1;
      const b = req.nextIncrementS || a;
      const zone = req.destination?.zone ?? "";
      const cal = calendarKeys(now);
      const limits = p.postpaid.limits;
      const r = await this.#run("authorize", [
        callId, who.acct, randomUUID(), now, Number(req.pricePerMinMicro ?? 0) * legs, a, b, Number(req.connectFeeMicro ?? 0) * legs, req.requestedS ?? 0,
        zone, cal.day, cal.minute, cal.month, who.autocreate ? "1" : "0", p.maxCallS, p.adfunded.maxCallS, adRatio(p, zone),
        p.setupAllowanceS, p.commitGraceS, p.callRecordTtlS, limits.maxConcurrent, limits.callsPerMinute, limits.dailySpendMicro,
      ]);
      if (r[0] === 0) {
        const reason = r[1] === "UNKNOWN_ACCOUNT" && who.acct.startsWith("ad:") ? "SESSION_EXPIRED" : String(r[1]);
        return this.#deny(callId, reason, String(r[2]), String(r[3]));
      }
      const [, rid, d, reserved, balance, fin, kind] = r as [number, string, number, number, number, number, string];
      const final = fin === 1;
      const warn = final && kind !== "postpaid" ? Math.min(p.prepaid.warnBeforeEndS, Math.floor(d / 2)) : 0;
      this.#m?.auth.add(1, { outcome: "GRANT", kind });
      return pb.Authorization.create({ callId, outcome: pb.AuthOutcome.GRANT, maxDurationS: d, reservationId: rid, reservedMicro: kind === "adfunded" ? 0 : reserved, balanceMicro: balance, warnBeforeEndS: warn, final });
    } catch (err) {
      if (!(err instanceof RedisUnavailableError)) throw err;
      return this.#failSafe(req, err);
    }
  }

  /** ARCHITECTURE.md "Fail safe, and say so": prepaid and ad-funded deny; call-by-call gets a capped grant. */
  #failSafe(req: callctl.v1.IAuthorizeRequest, err: unknown): callctl.v1.Authorization {
    const callId = req.callId as string;
    const id = req.accountId ?? "";
    const product = productOf(req.product);
    const postpaid = id.startsWith("cli:") || POSTPAID_PRODUCTS.has(product) || (!id && !req.sessionId && product === "" && !!req.caller);
    const cap = this.policy.failSafe.postpaidMaxS;
    const a = req.firstIncrementS || 1;
    const b = req.nextIncrementS || a;
    const d = cap >= a ? a + Math.floor((cap - a) / b) * b : 0;
    const outcome = postpaid && d > 0 ? "GRANT" : "DENY";
    this.#m?.failSafe.add(1, { outcome });
    this.log?.warn({ err, call_id: callId, account: id, product, outcome }, "credit: Redis unreachable, fail-safe policy applied");
    if (outcome === "GRANT") return pb.Authorization.create({ callId, outcome: pb.AuthOutcome.GRANT, maxDurationS: d, final: true, failSafe: true });
    return pb.Authorization.create({ callId, outcome: pb.AuthOutcome.DENY, deny: reject("CREDIT_UNAVAILABLE", "redis"), failSafe: true });
  }

  #deny(callId: string, reason: string, detail: string, kind: string): callctl.v1.Authorization {
    this.#m?.auth.add(1, { outcome: "DENY", reason, kind });
    this.log?.info({ call_id: callId, reason, detail }, "credit: denied");
    return pb.Authorization.create({ callId, outcome: pb.AuthOutcome.DENY, deny: reject(reason, detail) });
  }

  async extend(req: callctl.v1.IExtendRequest): Promise<callctl.v1.Authorization> {
    checkId("call_id", req.callId ?? "", true);
    const callId = req.callId as string;
    const p = this.policy;
    const now = this.clock();
    const r = await this.#run("extend", [callId, req.reservationId ?? "", now, req.usedS ?? 0, req.requestedS ?? 0, p.maxCallS, p.adfunded.maxCallS, p.commitGraceS, calendarKeys(now).day]);
    if (r[0] === -1) throw scriptError(String(r[1]), callId);
    if (r[0] === 0) return pb.Authorization.create({ callId, outcome: pb.AuthOutcome.DENY, deny: reject(String(r[1]), String(r[2])), final: true });
    const [, rid, d, reserved, balance, fin, kind] = r as [number, string, number, number, number, number, string];
    const final = fin === 1;
    const warn = final && kind !== "postpaid" ? Math.min(p.prepaid.warnBeforeEndS, Math.floor(d / 2)) : 0;
    return pb.Authorization.create({ callId, outcome: pb.AuthOutcome.GRANT, maxDurationS: d, reservationId: rid, reservedMicro: kind === "adfunded" ? 0 : reserved, balanceMicro: balance, warnBeforeEndS: warn, final });
  }

  async commit(req: callctl.v1.ICommitRequest): Promise<callctl.v1.CommitResult> {
    return this.commitReply(req, await this.#run("commit", this.commitArgs(req)));
  }

  /** Validates a commit and builds its script arguments (shared with the batch path, batch.ts). */
  commitArgs(req: callctl.v1.ICommitRequest): (string | number)[] {
    checkId("call_id", req.callId ?? "", true);
    const amount = Number(req.amountMicro ?? 0);
    if (!Number.isSafeInteger(amount) || amount < 0 || amount > 1_000_000_000) throw new ValidationError("amount_micro must be 0..1000000000", { field: "amount_micro" });
    const now = Number(req.atMs) || this.clock();
    const cal = calendarKeys(now);
    const s = this.policy.spike;
    return [req.callId as string, req.reservationId ?? "", now, req.billedS ?? 0, amount, cal.day, cal.month, ...cal.prev, s.factor, s.minUsageMicro, s.action];
  }

  /** Maps the commit script's reply (throws the script's coded refusal). */
  commitReply(req: callctl.v1.ICommitRequest, r: (string | number)[]): callctl.v1.CommitResult {
    const callId = req.callId as string;
    const amount = Number(req.amountMicro ?? 0);
    if (r[0] === -1) throw scriptError(String(r[1]), callId);
    const duplicate = r[0] === 2;
    this.#m?.commit.add(1, { op: "commit", duplicate: String(duplicate) });
    if (duplicate) {
      const [, state, deb, bal, , , amt] = r as [number, string, number, number, number, number, number];
      if (state === "released" && amount > 0) {
        this.log?.warn({ call_id: callId, amount_micro: amount }, "credit: commit after release, nothing debited");
        return pb.CommitResult.create({ callId, ok: false, duplicate: true, balanceMicro: bal, error: { code: "ALREADY_RELEASED", message: "the reservation was released; nothing debited" } });
      }
      if (amt !== amount) this.log?.warn({ call_id: callId, first: amt, again: amount }, "credit: repeated commit with a different amount ignored");
      return pb.CommitResult.create({ callId, ok: true, debitedMicro: deb, balanceMicro: bal, duplicate: true });
    }
    const [, , deb, bal, neg, spike, reserved] = r as [number, string, number, number, number, number, number];
    if (neg) {
      this.#m?.negative.add(1);
      this.log?.warn({ call_id: callId, balance_micro: bal, debited_micro: deb }, "credit: balance negative after commit (002 §5.4: must be settled)");
    }
    if (spike) {
      this.#m?.spike.add(1);
      this.log?.warn({ call_id: callId, action: this.policy.spike.action }, "credit: usage spike flagged (001 §4.1.4 c)");
    }
    if (reserved === -1) this.log?.warn({ call_id: callId }, "credit: late commit after the reservation expired");
    else if (deb > reserved) this.log?.info({ call_id: callId, reserved, debited: deb }, "credit: debit above the reservation");
    return pb.CommitResult.create({ callId, ok: true, debitedMicro: deb, balanceMicro: bal });
  }

  async release(req: callctl.v1.IReleaseRequest): Promise<callctl.v1.CommitResult> {
    return this.releaseReply(req, await this.#run("release", this.releaseArgs(req)));
  }

  releaseArgs(req: callctl.v1.IReleaseRequest): (string | number)[] {
    checkId("call_id", req.callId ?? "", true);
    return [req.callId as string, req.reservationId ?? "", this.clock(), (req.reason ?? "").slice(0, 64)];
  }

  releaseReply(req: callctl.v1.IReleaseRequest, r: (string | number)[]): callctl.v1.CommitResult {
    const callId = req.callId as string;
    if (r[0] === -1) throw scriptError(String(r[1]), callId);
    this.#m?.commit.add(1, { op: "release", duplicate: String(r[0] === 2) });
    if (r[1] === "none") this.log?.info({ call_id: callId, reservation_id: req.reservationId ?? "" }, "credit: release of a call without a record, nothing held");
    return pb.CommitResult.create({ callId, ok: true, debitedMicro: Number(r[2]), balanceMicro: Number(r[3]), duplicate: r[0] === 2 });
  }

  /**
   * Many commit/release scripts in one Redis pipeline (one write, one read): each script is still
   * atomic and idempotent per call id; the batch as a whole is not a transaction (it need not be:
   * a retried batch repeats only duplicates). `calls[i]` is [script, argv after the prefix].
   */
  async runPipelined(calls: ["commit" | "release", (string | number)[]][]): Promise<([Error, null] | [null, (string | number)[]])[]> {
    const res = await this.#deadline(pipelined(this.redis, calls.map(([name, argv]) => [name, [this.prefix, ...argv]])));
    return res as ([Error, null] | [null, (string | number)[]])[];
  }
}
