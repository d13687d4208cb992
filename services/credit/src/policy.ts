// The credit policy: product rules and fraud limits, configuration data under the top-level key
// `credit` (and demo account seeds under `accounts`). Unknown keys inside our sections are refused.
import { z } from "zod";
import { ZONE_IDS as ZONES, type ZoneId as Zone } from "@callctl/core";

/** Zone ids of the rate decks (Destination.zone): the one list in @callctl/core. */
export { ZONES, type Zone };
const zoneId = z.enum(ZONES);

const limitsSchema = z
  .object({
    /** Simultaneous calls (active reservations) per account / CLI. */
    maxConcurrent: z.number().int().min(1).max(10_000),
    /** Call attempts per minute: automated dialing is forbidden (000 §1.4, §5.7). */
    callsPerMinute: z.number().int().min(1).max(100_000),
    /** Debits + reservations per Europe/Berlin day, micro-euro; 0 = no cap. */
    dailySpendMicro: z.number().int().min(0),
  })
  .strict();
export type Limits = z.infer<typeof limitsSchema>;

export const policySchema = z
  .object({
    /** Longest call any grant allows, seconds (CGRateS max_call_duration style). */
    maxCallS: z.number().int().min(60).max(86_400).default(14_400),
    /** Ringing + price announcement allowance before the granted time starts, seconds. */
    setupAllowanceS: z.number().int().min(0).max(3600).default(120),
    /** Extra validity of a reservation after its granted time, for the final commit to arrive. */
    commitGraceS: z.number().int().min(1).max(86_400).default(300),
    /** How long a call record (idempotency of authorize/commit/release) is kept, seconds. */
    callRecordTtlS: z.number().int().min(3600).default(7 * 86_400),
    prepaid: z
      .object({
        /** 002 §5.1: the balance can be topped up to at most 100 €. */
        topupCapMicro: z.number().int().min(1).default(100_000_000),
        /** Low-credit warning this many seconds before the end of a final prepaid grant. */
        warnBeforeEndS: z.number().int().min(0).max(600).default(60),
        limits: limitsSchema.default({ maxConcurrent: 2, callsPerMinute: 10, dailySpendMicro: 0 }),
      })
      .strict()
      .default({ topupCapMicro: 100_000_000, warnBeforeEndS: 60, limits: { maxConcurrent: 2, callsPerMinute: 10, dailySpendMicro: 0 } }),
    postpaid: z
      .object({
        /** Limits of a call-by-call account `cli:<E164>` created on first use. */
        limits: limitsSchema.default({ maxConcurrent: 2, callsPerMinute: 6, dailySpendMicro: 50_000_000 }),
      })
      .strict()
      .default({ limits: { maxConcurrent: 2, callsPerMinute: 6, dailySpendMicro: 50_000_000 } }),
    adfunded: z
      .object({
        /** 000 §5.3: talk minutes per ad minute watched, by destination zone; default 5. 0 = not allowed. */
        talkMinutesPerAdMinute: z.number().min(0).max(60).default(5),
        zones: z.partialRecord(zoneId, z.number().min(0).max(60)).default({}),
        /** 000 §5.3: one call lasts at most 10 minutes. */
        maxCallS: z.number().int().min(1).max(600).default(600),
        /** 000 §5.3/§5.5: the time lives only as long as the web session. */
        sessionTtlS: z.number().int().min(10).max(86_400).default(1800),
        maxAdMinutesPerGrant: z.number().int().min(1).default(60),
        limits: limitsSchema.default({ maxConcurrent: 1, callsPerMinute: 3, dailySpendMicro: 0 }),
      })
      .strict()
      .default({ talkMinutesPerAdMinute: 5, zones: {}, maxCallS: 600, sessionTtlS: 1800, maxAdMinutesPerGrant: 60, limits: { maxConcurrent: 1, callsPerMinute: 3, dailySpendMicro: 0 } }),
    spike: z
      .object({
        /** 001 §4.1.4 c: month-to-date usage above factor x the average of the 3 previous months. */
        factor: z.number().min(1).default(3),
        /** Usage below this never counts as a spike, micro-euro. */
        minUsageMicro: z.number().int().min(0).default(20_000_000),
        action: z.enum(["flag", "block"]).default("flag"),
      })
      .strict()
      .default({ factor: 3, minUsageMicro: 20_000_000, action: "flag" }),
    failSafe: z
      .object({
        /** When Redis is unreachable: postpaid call-by-call is allowed for at most this long; 0 = deny. */
        postpaidMaxS: z.number().int().min(0).max(3600).default(300),
        redisTimeoutMs: z.number().int().min(1).max(10_000).default(50),
      })
      .strict()
      .default({ postpaidMaxS: 300, redisTimeoutMs: 50 }),
  })
  .strict();

export type CreditPolicy = z.output<typeof policySchema>;
export type CreditPolicyInput = z.input<typeof policySchema>;

export const DEFAULT_POLICY: CreditPolicy = policySchema.parse({});

export function makePolicy(input: CreditPolicyInput = {}): CreditPolicy {
  return policySchema.parse(input);
}

/** Talk minutes one ad minute buys for a call to `zone` (000 §5.3). */
export function adRatio(p: CreditPolicy, zone: string): number {
  const z = p.adfunded.zones[zone as Zone];
  return z ?? p.adfunded.talkMinutesPerAdMinute;
}

export const bucketSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
    minutes: z.number().int().min(0),
    /** Zone filter; ["*"] = every zone. */
    zones: z.array(z.union([zoneId, z.literal("*")])).min(1).default(["*"]),
    /** 001 §5.2.3: at most this many free minutes used per month; 0 = no cap. */
    monthlyCapMinutes: z.number().int().min(0).default(0),
  })
  .strict();
export type FreeBucket = z.output<typeof bucketSchema>;

export const accountSeedSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9:_.+-]{1,64}$/),
    kind: z.enum(["prepaid", "postpaid"]),
    balance: z.union([z.string(), z.number()]).optional(),
    pin: z.string().regex(/^\d{4,16}$/).optional(),
    limits: limitsSchema.partial().optional(),
    freeMinutes: z.array(bucketSchema).default([]),
  })
  .strict();
export type AccountSeed = z.output<typeof accountSeedSchema>;

/** The whole-document schema: our keys strict, other services' keys allowed. */
export const configSchema = z
  .object({
    credit: policySchema.optional(),
    accounts: z.array(accountSeedSchema).optional(),
  })
  .loose();
