// Composition root of the credit service: env once, Redis client, NATS endpoints, policy from the
// configuration KV (key `credit`, applied atomically by swapping the policy object).
import { env, runService, validateConfig, watchConfig } from "@callctl/core";
import { Redis } from "ioredis";
import { configSchema, makePolicy } from "./policy.ts";
import { startCreditService } from "./service.ts";

await runService({
  name: "credit",
  env: { CREDIT_PREFIX: env.str("cc:") },
  async start({ cfg, log, tracer, meter, nc, kv }) {
    // No offline queue: while Redis is away a command fails at once and the fail-safe policy
    // answers, instead of a queued reservation landing after its caller has given up.
    const redis = new Redis(cfg.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: `credit@${cfg.NODE_ID}` });
    let lastErr = 0;
    redis.on("error", (err) => {
      if (Date.now() - lastErr > 5000) log.warn({ err }, "credit: redis connection error");
      lastErr = Date.now();
    });
    const svc = await startCreditService({ nc, redis, log, tracer, meter, prefix: cfg.CREDIT_PREFIX });
    const watch = await watchConfig(
      kv,
      (doc, revision) => {
        const c = validateConfig(configSchema, doc);
        svc.store.setPolicy(makePolicy(c.credit ?? {}));
        log.info({ revision }, "credit: policy applied");
      },
      (err) => log.error({ err }, "credit: configuration refused, previous policy kept"),
    );
    return {
      ready: { redis: () => redis.status === "ready" },
      async stop() {
        watch.stop();
        await svc.stop();
        redis.disconnect();
      },
    };
  },
});
