// Account administration over the same Redis state: create, top up, block/unblock (with reason and
// audit trail, 001 §12.2), show, seed from YAML, and ad-funded talk time grants (000 §5.3).
import { parseMoney, ValidationError } from "@callctl/core";
import { UnknownAccountError, scriptError, TopupCapError } from "./errors.ts";
import { type AccountSeed, accountSeedSchema, adRatio, type FreeBucket, type Limits, ZONES } from "./policy.ts";
import type { CreditStore } from "./store.ts";

export interface AccountView {
  id: string;
  kind: string;
  status: string;
  blockReason: string;
  balanceMicro: number;
  reservedMicro: number;
  availableMicro: number;
  activeCalls: number;
  limits: Limits;
  spike: { month: string; usageMicro: number; avgMicro: number } | null;
  negatives: { callId: string; debitedMicro: number; balanceMicro: number; atMs: number }[];
  freeMinutes: { id: string; zones: string; leftS: number; monthlyCapS: number }[];
  audit: Record<string, unknown>[];
}

/** A money amount from an operator: "12.50", "12,50 €", "990ct"; never negative or non-numeric. */
export function parseAmount(input: string, field = "amount"): number {
  let micro: number;
  try {
    micro = parseMoney(input);
  } catch {
    throw new ValidationError(`${field}: not an amount of money: ${JSON.stringify(input)}`, { field });
  }
  if (micro <= 0) throw new ValidationError(`${field}: must be positive (got ${JSON.stringify(input)})`, { field });
  return micro;
}

function checkSession(session: string): void {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(session)) throw new ValidationError("session: 1-100 of A-Z a-z 0-9 _ . -", { field: "session" });
}

function entry(action: string, fields: Record<string, unknown>, at: number): string {
  return JSON.stringify({ at, action, ...fields });
}

export class AccountAdmin {
  constructor(readonly store: CreditStore) {}

  #key(id: string): string {
    return `${this.store.prefix}a:${id}`;
  }

  async create(seed: AccountSeed | Record<string, unknown>, opts: { upsert?: boolean; by?: string } = {}): Promise<{ created: boolean; balanceMicro: number }> {
    const parsed = accountSeedSchema.safeParse(seed);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new ValidationError(`account ${i?.path.join(".") || ""}: ${i?.message ?? "invalid"}`, { field: String(i?.path.join(".") ?? "") });
    }
    const s = parsed.data;
    const p = this.store.policy;
    const balance = s.balance === undefined ? 0 : typeof s.balance === "number" ? Math.round(s.balance * 1_000_000) : parseMoney(s.balance);
    if (balance < 0) throw new ValidationError("balance must not be negative", { field: "balance" });
    if (s.kind === "postpaid" && balance !== 0) throw new ValidationError("a postpaid account has limits, not a balance", { field: "balance" });
    if (balance > p.prepaid.topupCapMicro) throw new TopupCapError(s.id, 0, balance, p.prepaid.topupCapMicro);
    const defaults = s.kind === "prepaid" ? p.prepaid.limits : p.postpaid.limits;
    const limits = { ...defaults, ...(s.limits ?? {}) };
    const spec = {
      kind: s.kind,
      balance,
      pin: s.pin ?? "",
      maxc: limits.maxConcurrent,
      cpm: limits.callsPerMinute,
      dcap: limits.dailySpendMicro,
      buckets: s.freeMinutes.map((b: FreeBucket) => ({ id: b.id, zones: b.zones.includes("*") ? "*" : b.zones.join(","), left: b.minutes * 60, cap: b.monthlyCapMinutes * 60 })),
    };
    const now = this.store.clock();
    const r = await this.store.run("admin", [opts.upsert ? "upsert" : "create", s.id, now, entry(opts.upsert ? "seed" : "create", { kind: s.kind, balance, by: opts.by ?? "cli" }, now), JSON.stringify(spec)]);
    if (r[0] === -1) throw scriptError(String(r[1]), s.id);
    return { created: r[0] === 1, balanceMicro: Number(r[1]) };
  }

  async topup(id: string, amountMicro: number, by = "cli"): Promise<number> {
    if (!Number.isSafeInteger(amountMicro) || amountMicro <= 0) throw new ValidationError("amount must be a positive number of micro-euro", { field: "amount" });
    const now = this.store.clock();
    const cap = this.store.policy.prepaid.topupCapMicro;
    const r = await this.store.run("admin", ["topup", id, now, entry("topup", { amount: amountMicro, by }, now), amountMicro, cap]);
    if (r[0] === -1) {
      if (r[1] === "TOPUP_CAP_EXCEEDED") throw new TopupCapError(id, Number(r[2]), amountMicro, cap);
      throw scriptError(String(r[1]), id);
    }
    return Number(r[1]);
  }

  /** 001 §12.2: blocking without notice, with a reason; unblocking once the reason is gone. */
  async block(id: string, reason: string, by = "cli"): Promise<void> {
    if (!/^[\w .:/-]{1,120}$/.test(reason)) throw new ValidationError("reason: 1-120 printable characters", { field: "reason" });
    const now = this.store.clock();
    const r = await this.store.run("admin", ["block", id, now, entry("block", { reason, by }, now), reason]);
    if (r[0] === -1) throw scriptError(String(r[1]), id);
  }

  async unblock(id: string, reason: string, by = "cli"): Promise<boolean> {
    const now = this.store.clock();
    const r = await this.store.run("admin", ["unblock", id, now, entry("unblock", { reason, by }, now)]);
    if (r[0] === -1) throw scriptError(String(r[1]), id);
    return r[0] === 1;
  }

  async show(id: string): Promise<AccountView> {
    const k = this.#key(id);
    const [h, active, negs, audit] = await Promise.all([
      this.store.redis.hgetall(k),
      this.store.redis.zcount(`${k}:rz`, this.store.clock(), "+inf"),
      this.store.redis.lrange(`${k}:neg`, 0, 49),
      this.store.redis.lrange(`${k}:log`, 0, 49),
    ]);
    if (!h.kind) throw new UnknownAccountError(id);
    const n = (v: string | undefined) => Number(v ?? 0);
    const freeMinutes = [];
    for (const bid of (h.buckets ?? "").split(",").filter(Boolean)) {
      const b = await this.store.redis.hgetall(`${k}:fb:${bid}`);
      freeMinutes.push({ id: bid, zones: b.zones ?? "", leftS: n(b.left), monthlyCapS: n(b.cap) });
    }
    return {
      id,
      kind: h.kind,
      status: h.status ?? "active",
      blockReason: h.block_reason ?? "",
      balanceMicro: n(h.bal),
      reservedMicro: n(h.res),
      availableMicro: n(h.bal) - n(h.res),
      activeCalls: active,
      limits: { maxConcurrent: n(h.maxc), callsPerMinute: n(h.cpm), dailySpendMicro: n(h.dcap) },
      spike: h.spike ? { month: h.spike, usageMicro: n(h.spike_usage), avgMicro: n(h.spike_avg) } : null,
      negatives: negs.map((s) => {
        const [callId = "", deb, bal, at] = s.split("|");
        return { callId, debitedMicro: Number(deb), balanceMicro: Number(bal), atMs: Number(at) };
      }),
      freeMinutes,
      audit: audit.map((s) => JSON.parse(s) as Record<string, unknown>),
    };
  }

  /** Records the month's usage of an account (history for the spike check; tests and imports). */
  async setMonthlyUsage(id: string, month: string, micro: number): Promise<void> {
    await this.store.redis.set(`${this.#key(id)}:m:${month}`, micro, "EX", 130 * 86_400);
  }

  /** 000 §5.3: ad minutes watched in web session `session` buy talk time; it ends with the session. */
  async grantAdTime(session: string, adMinutes: number, zone?: string): Promise<{ session: string; adMinutes: number; talkSecondsForZone: number | null; expiresAtMs: number }> {
    checkSession(session);
    if (zone !== undefined && !(ZONES as readonly string[]).includes(zone)) throw new ValidationError(`zone: unknown zone ${JSON.stringify(zone)}`, { field: "zone" });
    const p = this.store.policy.adfunded;
    if (!Number.isFinite(adMinutes) || adMinutes <= 0 || adMinutes > p.maxAdMinutesPerGrant) throw new ValidationError(`ad minutes must be a number above 0 and at most ${p.maxAdMinutesPerGrant}`, { field: "ad-minutes" });
    const now = this.store.clock();
    const adms = Math.round(adMinutes * 60_000);
    const r = await this.store.run("adgrant", [session, now, adms, p.sessionTtlS * 1000, p.limits.maxConcurrent, p.limits.callsPerMinute, "grant"]);
    const avail = Number(r[1]) - Number(r[2]);
    const talk = zone ? Math.min(p.maxCallS, Math.floor((avail * adRatio(this.store.policy, zone)) / 1000)) : null;
    return { session, adMinutes: avail / 60_000, talkSecondsForZone: talk, expiresAtMs: Number(r[3]) };
  }

  /** The web session ended (000 §5.3: closing the page forfeits the time). */
  async endSession(session: string): Promise<void> {
    checkSession(session);
    await this.store.run("adgrant", [session, this.store.clock(), 0, 0, 0, 0, "end"]);
  }
}
