// Typed configuration from the environment: read and validated once in main.ts; a bad value fails
// fast with a ConfigError naming the variable.
import { z } from "zod";
import { ConfigError } from "./errors.ts";

export type EnvShape = Record<string, z.ZodType>;

export function loadEnv<S extends EnvShape>(shape: S, env: NodeJS.ProcessEnv = process.env): { [K in keyof S]: z.output<S[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const raw = env[name];
    const parsed = schema.safeParse(raw === "" ? undefined : raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const got = raw === undefined ? "unset" : JSON.stringify(raw);
      throw new ConfigError(name, `${issue?.message ?? "invalid"} (got ${got})`);
    }
    out[name] = parsed.data;
  }
  return out as { [K in keyof S]: z.output<S[K]> };
}

export const env = {
  url: (def: string, protocols: string[]) =>
    z
      .string()
      .default(def)
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, `must be a URL with scheme ${protocols.join(" or ")}`),
  int: (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z
      .string()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .default(def),
  str: (def: string) => z.string().default(def),
  enumOf: <T extends string>(values: readonly [T, ...T[]], def: T) => z.enum(values).default(def),
  bool: (def: boolean) =>
    z
      .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
      .transform((v) => v === "true" || v === "1" || v === "yes")
      .default(def),
};

/** What every service reads: where NATS, Redis and PostgreSQL are, logging, ports, deadlines. */
export const baseEnv = {
  NATS_URL: env.url("nats://127.0.0.1:4222", ["nats:", "tls:"]),
  REDIS_URL: env.url("redis://127.0.0.1:6379", ["redis:", "rediss:"]),
  PG_URL: env.url("postgres://postgres@127.0.0.1:5432/callctl", ["postgres:", "postgresql:"]),
  LOG_LEVEL: env.enumOf(["trace", "debug", "info", "warn", "error", "fatal", "silent"], "info"),
  NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 of A-Z a-z 0-9 _ . -").default("node1"),
  HTTP_PORT: env.int(0, 0, 65535),
  REQUEST_TIMEOUT_MS: env.int(50, 1, 60_000),
  /** JetStream stream replicas (1 locally, 3 on a NATS cluster). */
  JS_REPLICAS: env.int(1, 1, 5),
  /** CDR stream retention in days: 6 months after the invoice by default (DOMAIN.md §4). */
  CDR_RETENTION_DAYS: env.int(183, 1, 3650),
};
export type BaseEnv = ReturnType<typeof loadEnv<typeof baseEnv>>;
