// Bench child process: the switch simulator (ESL or ARI) and the open-loop call generator, on their
// own event loop so that the agent's figures are the agent's. Protocol over IPC: → {sim: url/port},
// ← {go: agent address}, → {done: summary}.
import { Latency } from "@callctl/core";
import { AriSimulator, EslSimulator, type SimCallResult } from "@callctl/switch-sim";

interface Go {
  go: true;
  agent?: { host: string; port: number };
  cps: number;
  durationS: number;
  holdMs: number;
}

const driver = process.argv[2] === "ari" ? "ari" : "esl";
const trunks = { "gw-colt-eu": { kind: "answer", afterMs: 20 } as const, "gw-bics-world": { kind: "answer", afterMs: 20 } as const };
const target = { host: "127.0.0.1", port: 0 };
const sim = driver === "esl" ? new EslSimulator({ agent: target, trunks, timeScale: 1, defaultPlaybackMs: 50, execDelayMs: 1 }) : new AriSimulator({ username: "bench", password: "bench", trunks, timeScale: 1, defaultPlaybackMs: 50, sessionLimit: 100_000 });
const started = await sim.start();
process.send?.({ sim: started });

process.on("message", async (m: Go) => {
  if (!m.go) return;
  if (m.agent) Object.assign(target, m.agent);
  const pdd = new Latency();
  const results: Promise<SimCallResult>[] = [];
  const total = Math.round(m.cps * m.durationS);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let late = 0;
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / m.cps - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -50) late++;
    // Unique callers: every call-by-call CLI is its own postpaid account with its own limits.
    const h = sim.placeCall({ caller: String(4930_0000_0000 + i), dialed: "010970043664123456", hangupAfterAnswerMs: m.holdMs });
    results.push(
      h.done.then((r) => {
        if (r.pddMs !== undefined) pdd.recordUs(r.pddMs * 1000);
        return r;
      }),
    );
  }
  const placedS = (performance.now() - t0) / 1000;
  const all = await Promise.all(results);
  await sim.stop();
  process.send?.({ done: { calls: total, placed_s: placedS, late_over_50ms: late, answered: all.filter((r) => r.answered).length, pdd_us: pdd.summary(), cpu: process.cpuUsage(cpu0) } });
  setTimeout(() => process.exit(0), 100);
});
