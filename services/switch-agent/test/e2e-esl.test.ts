// Issue 8 "Proof": the end-to-end scenario table over the ESL driver, with the real routing,
// tariff, credit and cdr services over real NATS, JetStream and Redis, and the ESL simulator.
import { EslSimulator } from "@callctl/switch-sim";
import t from "tap";
import { SCALE, startStack } from "./e2e/harness.ts";
import { callbackRows } from "./e2e/callback.ts";
import { runTable } from "./e2e/scenarios.ts";

t.test("ESL: end-to-end scenario table", async (t) => {
  // pp-100001 (registered CLI 493012345670) gets 0.20 €: the prepaid row reaches its limit.
  const stack = await startStack("e2e-esl", [{ id: "pp-100001", kind: "prepaid", balance: "0.20" }]);
  t.teardown(() => stack.close());
  // The simulator reads its agent address per call: start it first, for its inbound (management) port.
  const target = { host: "127.0.0.1", port: 0 };
  const sim = new EslSimulator({ agent: target, trunks: {}, timeScale: 1 / SCALE, defaultPlaybackMs: 3000 });
  const { inboundPort } = await sim.start();
  t.teardown(() => sim.stop());
  const agent = await stack.startAgent("esl", { esl: { promptDir: "/prompts/", inbound: { host: "127.0.0.1", port: inboundPort, password: "ClueCon" } } });
  target.port = agent.address()!.port;
  while (!agent.ready()) await new Promise((r) => setTimeout(r, 5));
  await runTable(t, { stack, agent, sim });
  await callbackRows(t, { stack, agent, sim });
});
