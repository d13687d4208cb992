// The nats.js success-path fix (nats-request-fix.ts): requests still resolve, errors and
// timeouts still reject as the library makes them, and no "cancelled" RequestError is built.
import t from "tap";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fixNatsRequestCancel } from "../src/index.ts";
import { testNats, uniq } from "../src/testing.ts";

const nc = await testNats();
t.teardown(() => nc.close());
t.equal(fixNatsRequestCancel(), true, "the running nats-core has the fix");

// the errors module request.js reads RequestError from at call time (same CJS instance, by path)
const natsRequire = createRequire(import.meta.resolve("@nats-io/transport-node"));
const errors = natsRequire(join(dirname(natsRequire.resolve("@nats-io/nats-core/internal")), "errors.js")) as { RequestError: new (...a: unknown[]) => Error };

t.test("a reply resolves, and no RequestError is constructed for it", async (t) => {
  const subject = `test.${uniq()}.echo`;
  const sub = nc.subscribe(subject, { callback: (_e, m) => void m.respond(m.data) });
  t.teardown(() => sub.unsubscribe());
  const RealRequestError = errors.RequestError;
  let built = 0;
  // count constructions through the class the library uses
  const counting = class extends RealRequestError {
    constructor(...a: unknown[]) {
      super(...a);
      built++;
    }
  };
  errors.RequestError = counting;
  t.teardown(() => {
    errors.RequestError = RealRequestError;
  });
  for (let i = 0; i < 50; i++) {
    const m = await nc.request(subject, new TextEncoder().encode(`x${i}`), { timeout: 2000 });
    t.equal(new TextDecoder().decode(m.data), `x${i}`);
  }
  t.equal(built, 0, "no error object per successful request");
});

t.test("no responder and timeout still reject with the library's errors", async (t) => {
  await t.rejects(nc.request(`test.${uniq()}.nobody`, new Uint8Array(0), { timeout: 500 }), /no responders/i);
  const subject = `test.${uniq()}.silent`;
  const sub = nc.subscribe(subject, { callback: () => {} });
  t.teardown(() => sub.unsubscribe());
  await t.rejects(nc.request(subject, new Uint8Array(0), { timeout: 100 }), /timeout/i);
});
