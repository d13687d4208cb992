// Drain over real NATS against the ESL simulator (seed 004 §5.2): a draining node refuses new calls
// with Q.850 41 (SIP 503, upstream retries elsewhere) before asking any service; undrain restores.
import { createLogger, pb } from "@callctl/core";
import { testNats, uniq } from "@callctl/core/testing";
import { EslSimulator } from "@callctl/switch-sim";
import t from "tap";
import { nodeControl, startSwitchAgent, type CallState } from "../src/index.ts";

t.test("drain, status, undrain; hostile dialed digits refused with 28", async (t) => {
  const nc = await testNats("drain-test");
  const node = uniq("n");
  const ended: CallState[] = [];
  const agent = await startSwitchAgent({ nc, log: createLogger("t", { level: "silent" }), driver: "esl", node, onCallEnded: (s) => ended.push(s) });
  const sim = new EslSimulator({ agent: agent.address()!, trunks: { gw1: { kind: "answer", afterMs: 10 } }, timeScale: 0.1 });
  await sim.start();
  t.teardown(async () => {
    await sim.stop();
    await agent.stop();
    await nc.close();
  });

  const s1 = await nodeControl(nc, node, "drain");
  t.match(s1, { node, draining: true, driver: "esl", switchHealthy: true });
  const r = await sim.placeCall({ caller: "4930123456", dialed: "010970043664123456" }).done;
  t.match(r, { answered: false, q850: 41, attempts: [] });
  const st = await nodeControl(nc, node, "status");
  t.equal(Number(st.refusedDraining), 1);
  t.equal((await nodeControl(nc, node, "undrain")).draining, false);

  const bad = await sim.placeCall({ caller: "4930\n\napi echo", dialed: "0109700%0A43" }).done;
  t.match(bad, { answered: false, q850: 28 });
  while (ended.length < 2) await new Promise((res) => setTimeout(res, 20));
  t.same(ended.map((s) => [s.reject?.reason, s.disposition]), [["NODE_DRAINING", pb.Disposition.REJECTED], ["INVALID_DIALED_STRING", pb.Disposition.REJECTED]]);
  await agent.flush();
});
