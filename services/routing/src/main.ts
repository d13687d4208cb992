// The routing service: tables from the KV configuration document (watched, swapped atomically),
// callctl.route.decide and callctl.route.blocks, trunk health from the CALLS stream.
import { runService } from "@callctl/core";
import { startRouting } from "./service.ts";

await runService({
  name: "routing",
  async start({ nc, kv, log, tracer, meter }) {
    // glibc reads it at process start: the launcher's job (k8s/services.yaml, callctl up/demo)
    if (!process.env.MALLOC_MMAP_THRESHOLD_) log.warn("MALLOC_MMAP_THRESHOLD_ is not set: glibc keeps freed rate-deck buffers (~60 MB more RSS with a 1,000,000-prefix deck); set it to 131072");
    const svc = await startRouting({ nc, kv, log, tracer, meter });
    return {
      ready: { tables: () => svc.router.tables !== undefined },
      stop: () => svc.stop(),
    };
  },
});
