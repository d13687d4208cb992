// nats.js 3.4 (nats-core RequestOne): after every successful request, resolver() calls cancel(),
// which builds `new RequestError("cancelled")` — an Error with a captured stack — only to reject a
// promise that is already resolved (a no-op). That is ~4 % of the switch agent's CPU (7 requests
// per call; BENCHMARKS.md "## Switch agent") and the same share in every service that asks another.
// This replaces the success path with the same steps minus the dead error: stop the timer, resolve,
// leave the mux. Errors and timeouts take the library's own path unchanged. If the class does not
// look as expected (another nats-core version), nothing is changed.
import { createRequire } from "node:module";

interface RequestOneLike {
  timer?: { cancel(): void };
  deferred: { resolve(v: unknown): void };
  mux: { cancel(r: unknown): void };
}

type Resolver = (this: RequestOneLike, err: Error | null, msg: unknown) => void;

let applied: boolean | undefined;

/** Applies the fix once; returns whether the running nats-core has it. */
export function fixNatsRequestCancel(): boolean {
  if (applied !== undefined) return applied;
  applied = false;
  try {
    // nats-core is transport-node's dependency, not ours: resolve it from there (same copy it uses)
    const req = createRequire(import.meta.resolve("@nats-io/transport-node"));
    const { RequestOne } = req("@nats-io/nats-core/internal") as { RequestOne?: { prototype: { resolver?: Resolver; cancel?: unknown } } };
    const proto = RequestOne?.prototype;
    if (!proto || typeof proto.resolver !== "function" || typeof proto.cancel !== "function") return false;
    const original = proto.resolver;
    proto.resolver = function (this: RequestOneLike, err: Error | null, msg: unknown) {
      if (err) return original.call(this, err, msg);
      this.timer?.cancel();
      this.deferred.resolve(msg);
      this.mux.cancel(this);
    };
    applied = true;
  } catch {
    applied = false;
  }
  return applied;
}
