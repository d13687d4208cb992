// Health of the runtime servers and the services, as `callctl status` shows them.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Redis } from "ioredis";
import pg from "pg";

export function repoRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "../../..");
}

/** Fixed ops-HTTP ports of the services started by `callctl up` / `callctl demo`. */
export const SERVICE_PORTS: Record<string, number> = {
  routing: 9101,
  tariff: 9102,
  credit: 9103,
  cdr: 9104,
  "switch-agent": 9105,
  noc: 9100,
};

/**
 * Environment a service's process needs from its launcher (read by the C library at process start,
 * so it cannot be set from the service's own code). Routing: glibc otherwise keeps the freed 16 MB
 * buffers of a 1,000,000-prefix rate deck (~60 MB RSS; BENCHMARKS.md "## Routing"); k8s/services.yaml
 * sets the same.
 */
export const SERVICE_ENV: Record<string, Record<string, string>> = {
  routing: { MALLOC_MMAP_THRESHOLD_: "131072" },
};

export interface Health {
  name: string;
  healthy: boolean;
  required: boolean;
  detail: string;
}

async function timed<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

export async function checkRuntime(env: NodeJS.ProcessEnv): Promise<Health[]> {
  const natsUrl = env.NATS_URL ?? "nats://127.0.0.1:4222";
  const redisUrl = env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const pgUrl = env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/callctl";
  const out: Health[] = [];
  try {
    const nc = await timed(connect({ servers: natsUrl.replace(/^nats:\/\//, ""), reconnect: false }), 2000);
    try {
      const info = await timed((await jetstreamManager(nc)).getAccountInfo(), 2000);
      out.push({ name: "nats", healthy: true, required: true, detail: `${natsUrl} JetStream streams=${info.streams}` });
    } finally {
      await nc.close();
    }
  } catch (err) {
    out.push({ name: "nats", healthy: false, required: true, detail: `${natsUrl}: ${(err as Error).message}` });
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await timed(redis.connect(), 2000);
    const pong = await timed(redis.ping(), 2000);
    out.push({ name: "redis", healthy: pong === "PONG", required: true, detail: redisUrl });
  } catch (err) {
    out.push({ name: "redis", healthy: false, required: true, detail: `${redisUrl}: ${(err as Error).message}` });
  } finally {
    redis.disconnect();
  }
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const r = await client.query("select version() as v");
    out.push({ name: "postgres", healthy: true, required: true, detail: `${pgUrl.replace(/:[^:@/]*@/, ":***@")} ${String(r.rows[0]?.v).split(" ").slice(0, 2).join(" ")}` });
  } catch (err) {
    out.push({ name: "postgres", healthy: false, required: true, detail: `${(err as Error).message}` });
  } finally {
    await client.end().catch(() => {});
  }
  for (const [name, port] of Object.entries(SERVICE_PORTS)) {
    try {
      const res = await timed(fetch(`http://127.0.0.1:${port}/readyz`), 1000);
      out.push({ name, healthy: res.status === 200, required: false, detail: `:${port} ${res.status === 200 ? "ready" : "not ready"}` });
    } catch {
      /* service not running: not listed */
    }
  }
  return out;
}
