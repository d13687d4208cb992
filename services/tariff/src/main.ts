// The tariff service: runService skeleton, tables from the KV configuration document.
import { runService } from "@callctl/core";
import { startTariffService, TariffEngine, watchTariffs } from "./service.ts";

await runService({
  name: "tariff",
  async start({ nc, kv, log, tracer }) {
    const engine = new TariffEngine();
    const watch = await watchTariffs(kv, engine, log);
    const svc = await startTariffService(nc, engine, { log, tracer });
    return {
      ready: { tariffs: () => engine.ready },
      async stop() {
        watch.stop();
        await svc.stop();
      },
    };
  },
});
