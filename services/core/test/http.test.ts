import t from "tap";
import { startOpsServer, setupTelemetry } from "../src/index.ts";

t.test("health, readiness and metrics endpoints", async (t) => {
  const tel = setupTelemetry("http-test");
  tel.meter.createCounter("callctl_test_total").add(3, { k: "v" });
  let ready = false;
  const ops = await startOpsServer({ port: 0, ready: { nats: () => ready }, metrics: tel.metricsHandler });
  t.teardown(() => ops.close());
  const base = `http://127.0.0.1:${ops.port}`;
  t.equal((await fetch(`${base}/healthz`)).status, 200);
  const notReady = await fetch(`${base}/readyz`);
  t.equal(notReady.status, 503);
  t.same((await notReady.json()).checks, { nats: false });
  ready = true;
  t.equal((await fetch(`${base}/readyz`)).status, 200);
  const m = await (await fetch(`${base}/metrics`)).text();
  t.match(m, /callctl_test_total\{k="v"[^}]*\} 3/);
  t.equal((await fetch(`${base}/nope`)).status, 404);
});
