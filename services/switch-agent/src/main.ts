// Composition root of the switch agent: env validated once, then startSwitchAgent.
import { env, json, runService } from "@callctl/core";
import { startSwitchAgent } from "./agent.ts";

await runService({
  name: "switch-agent",
  env: {
    SWITCH_DRIVER: env.enumOf(["esl", "ari"], "esl"),
    ESL_LISTEN_HOST: env.str("127.0.0.1"),
    ESL_LISTEN_PORT: env.int(8084, 0, 65535),
    ESL_PROMPT_DIR: env.str(""),
    FS_INBOUND_HOST: env.str(""),
    FS_INBOUND_PORT: env.int(8021, 1, 65535),
    FS_INBOUND_PASSWORD: env.str("ClueCon"),
    ARI_URL: env.url("http://127.0.0.1:8088", ["http:", "https:"]),
    ARI_USER: env.str("callctl"),
    ARI_PASSWORD: env.str(""),
    ARI_APP: env.str("callctl"),
    FAILSAFE_MAX_S: env.int(600, 1, 86_400),
  },
  async start({ cfg, log, nc, meter }) {
    const agent = await startSwitchAgent({
      nc, log, meter, node: cfg.NODE_ID, driver: cfg.SWITCH_DRIVER as "esl" | "ari",
      esl: {
        host: cfg.ESL_LISTEN_HOST, port: cfg.ESL_LISTEN_PORT, promptDir: cfg.ESL_PROMPT_DIR,
        inbound: cfg.FS_INBOUND_HOST ? { host: cfg.FS_INBOUND_HOST, port: cfg.FS_INBOUND_PORT, password: cfg.FS_INBOUND_PASSWORD } : undefined,
      },
      ari: { url: cfg.ARI_URL, username: cfg.ARI_USER, password: cfg.ARI_PASSWORD, app: cfg.ARI_APP },
      flow: { failSafeMaxS: cfg.FAILSAFE_MAX_S },
      timeouts: { route: cfg.REQUEST_TIMEOUT_MS, quote: cfg.REQUEST_TIMEOUT_MS, authorize: cfg.REQUEST_TIMEOUT_MS },
    });
    return {
      stop: () => agent.stop(),
      ready: { switch: () => agent.driver.healthy(), notDraining: () => !agent.status().draining },
      routes: { "/node": (_req, res) => json(res, 200, { ...agent.status(), stats: agent.stats() }) },
    };
  },
});
