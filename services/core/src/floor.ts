// The floor: loopback NATS request/reply and Redis round trips, measured in the same run as any
// benchmark so every figure can be stated as a ratio to what the machine itself allows.
import { Redis } from "ioredis";
import { Latency } from "./latency.ts";
import { connectNats } from "./nats.ts";

export interface RoundTrip {
  count: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
  mean_us: number;
}
export interface Floor {
  nats: RoundTrip;
  redis: RoundTrip;
}

export async function measureNatsFloor(url: string, n = 10_000): Promise<RoundTrip> {
  const server = await connectNats(url, "floor-echo");
  const client = await connectNats(url, "floor-client");
  const subject = `callctl.floor.${process.pid}.${Date.now()}`;
  const sub = server.subscribe(subject, { callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  await server.flush();
  const lat = new Latency();
  const payload = new Uint8Array(64);
  for (let i = 0; i < Math.min(1000, n); i++) await client.request(subject, payload, { timeout: 2000 }); // warm-up
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await client.request(subject, payload, { timeout: 2000 });
    lat.since(t0);
  }
  sub.unsubscribe();
  await client.close();
  await server.close();
  return lat.summary();
}

export async function measureRedisFloor(url: string, n = 10_000): Promise<RoundTrip> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  const lat = new Latency();
  for (let i = 0; i < Math.min(1000, n); i++) await redis.ping();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await redis.ping();
    lat.since(t0);
  }
  redis.disconnect();
  return lat.summary();
}

export async function measureFloor(opts: { natsUrl?: string; redisUrl?: string; n?: number } = {}): Promise<Floor> {
  const nats = await measureNatsFloor(opts.natsUrl ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222", opts.n);
  const redis = await measureRedisFloor(opts.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379", opts.n);
  return { nats, redis };
}

/** A figure as a multiple of the floor (2 decimals). */
export function ratio(us: number, floorUs: number): number {
  return Math.round((us / Math.max(1, floorUs)) * 100) / 100;
}
