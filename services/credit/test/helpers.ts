// Test fixtures: a CreditStore on the shared Redis with a unique key prefix and a movable clock.
import { TEST_REDIS_URL, uniq } from "@callctl/core/testing";
import { Redis } from "ioredis";
import { AccountAdmin } from "../src/admin.ts";
import { makePolicy, type CreditPolicyInput } from "../src/policy.ts";
import { CreditStore } from "../src/store.ts";

export interface Fixture {
  redis: Redis;
  store: CreditStore;
  admin: AccountAdmin;
  prefix: string;
  clock: { now: number; advance(ms: number): void };
  close(): Promise<void>;
}

export async function fixture(policy: CreditPolicyInput = {}, url = TEST_REDIS_URL): Promise<Fixture> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `${uniq("cctest")}:`;
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      this.now += ms;
    },
  };
  const store = new CreditStore({ redis, prefix, policy: makePolicy({ failSafe: { redisTimeoutMs: 2000, postpaidMaxS: 300 }, ...policy }), clock: () => clock.now });
  return {
    redis,
    store,
    admin: new AccountAdmin(store),
    prefix,
    clock,
    async close() {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      redis.disconnect();
    },
  };
}

/** A 60/60 call at 12 ct/min (1.20 € for 10 min) to a German mobile. */
export function call(callId: string, accountId: string, over: Record<string, unknown> = {}) {
  return { callId, accountId, product: "prepaid", pricePerMinMicro: 120_000, firstIncrementS: 60, nextIncrementS: 60, connectFeeMicro: 0, destination: { e164: "491701234567", country: "DE", zone: "DE_MOBILE" }, ...over };
}

/** DOMAIN.md §6: billed seconds for a duration with increments a/b. */
export function billed(d: number, a: number, b: number): number {
  return d === 0 ? 0 : d <= a ? a : a + Math.ceil((d - a) / b) * b;
}
