// Helpers for tests that run against the real local runtime (infra/local/runtime.sh up).
import { randomBytes } from "node:crypto";
import { connectNats, type NatsConnection } from "./nats.ts";

export const TEST_NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const TEST_PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/callctl";

/** A short unique token for subjects, stream names, keys and schemas that must not collide. */
export function uniq(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

export async function testNats(name = "test"): Promise<NatsConnection> {
  return connectNats(TEST_NATS_URL, name);
}
