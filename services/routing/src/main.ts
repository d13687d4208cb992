// The routing service: tables from the KV configuration document (watched, swapped atomically),
// callctl.route.decide and callctl.route.blocks, trunk health from the CALLS stream.
import { runService } from "@callctl/core";
import { startRouting } from "./service.ts";

await runService({
  name: "routing",
  async start({ nc, kv, log, tracer, meter }) {
    const svc = await startRouting({ nc, kv, log, tracer, meter });
    return {
      ready: { tables: () => svc.router.tables !== undefined },
      stop: () => svc.stop(),
    };
  },
});
