// Issue 8 "Proof": the same end-to-end scenario table over the ARI driver (ari-client against the
// ARI simulator), with the real routing, tariff, credit and cdr services.
import { AriSimulator } from "@callctl/switch-sim";
import t from "tap";
import { SCALE, startStack } from "./e2e/harness.ts";
import { callbackRows } from "./e2e/callback.ts";
import { runTable } from "./e2e/scenarios.ts";

t.test("ARI: end-to-end scenario table", async (t) => {
  const stack = await startStack("e2e-ari", [{ id: "pp-100001", kind: "prepaid", balance: "0.20" }]);
  t.teardown(() => stack.close());
  const sim = new AriSimulator({ username: "callctl", password: "secret", trunks: {}, timeScale: 1 / SCALE, defaultPlaybackMs: 3000 });
  const { url } = await sim.start();
  t.teardown(() => sim.stop());
  const agent = await stack.startAgent("ari", { ari: { url, username: "callctl", password: "secret", app: "callctl" } });
  t.ok(agent.driver.healthy(), "Stasis app registered");
  await runTable(t, { stack, agent, sim });
  await callbackRows(t, { stack, agent, sim });
});
