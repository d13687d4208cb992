// AsyncLocalStorage-backed OpenTelemetry context manager (the api package ships none for Node).
import { AsyncLocalStorage } from "node:async_hooks";
import { ROOT_CONTEXT, type Context, type ContextManager } from "@opentelemetry/api";

export class AsyncLocalStorageContextManager implements ContextManager {
  #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const cb = thisArg == null ? fn : fn.bind(thisArg);
    return this.#als.run(ctx, cb as never, ...args) as ReturnType<F>;
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== "function") return target;
    const self = this;
    return function (this: unknown, ...args: unknown[]) {
      return self.with(ctx, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#als.disable();
    return this;
  }
}
