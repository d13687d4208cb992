// Credit errors: stable codes, matched by class or code (DEVELOPING.md "Rules").
import { CallctlError } from "@callctl/core";

export class CreditError extends CallctlError {}

export class UnknownAccountError extends CreditError {
  constructor(id: string) {
    super("UNKNOWN_ACCOUNT", `no account ${JSON.stringify(id)}`, { details: { account: id } });
  }
}

export class TopupCapError extends CreditError {
  constructor(id: string, balance: number, amount: number, cap: number) {
    super("TOPUP_CAP_EXCEEDED", `top-up of ${amount} µ€ would take ${id} above the cap of ${cap} µ€ (balance ${balance} µ€; 002 §5.1)`, {
      details: { account: id, balance_micro: String(balance), cap_micro: String(cap) },
    });
  }
}

export class RedisUnavailableError extends CreditError {
  constructor(cause: unknown) {
    super("UNAVAILABLE", "credit store (Redis) unreachable", { cause, retryable: true });
  }
}

/** Maps a coded refusal from a Lua script to an error. */
export function scriptError(code: string, subject: string): CreditError {
  switch (code) {
    case "UNKNOWN_ACCOUNT":
      return new UnknownAccountError(subject);
    case "ACCOUNT_EXISTS":
      return new CreditError("CONFLICT", `account ${JSON.stringify(subject)} already exists`, { details: { account: subject } });
    case "NOT_PREPAID":
      return new CreditError("NOT_PREPAID", `account ${JSON.stringify(subject)} has no prepaid balance`, { details: { account: subject } });
    case "UNKNOWN_RESERVATION":
      return new CreditError("UNKNOWN_RESERVATION", `no reservation for call ${JSON.stringify(subject)}`, { details: { call_id: subject } });
    case "RESERVATION_MISMATCH":
      return new CreditError("RESERVATION_MISMATCH", `reservation id does not belong to call ${JSON.stringify(subject)}`, { details: { call_id: subject } });
    default:
      return new CreditError(code, `${code}: ${subject}`);
  }
}
