// `callctl demo`: the whole call path on one machine. The runtime (NATS, Redis, PostgreSQL), the
// example configuration applied and the demo accounts seeded, every service as its own process,
// a simulated FreeSWITCH (or Asterisk) in this process, and callers dialing a realistic mix.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { connectNats } from "@callctl/core";
import { AriSimulator, EslSimulator, type SimCallSpec, type TrunkBehaviour } from "@callctl/switch-sim";
import type { CliIO } from "../command.ts";
import { repoRoot } from "../stack.ts";
import { DEFAULT_MIX, pickEntry, seeded } from "./mix.ts";
import { countSink, ms, Observer, pct } from "./observe.ts";
import { freePort, startDemoStack } from "./stack.ts";

const exec = promisify(execFile);

export interface DemoOptions {
  driver: "esl" | "ari";
  /** Bounded run: place this many calls, wait for every CDR, print a summary. */
  calls?: number;
  cps: number;
  json: boolean;
  seed: number;
  /** Share of callers who hang up during the price announcement. */
  hangupDuringAnnouncement: number;
}

/** The simulated carriers behind the example trunks (infra/config/example/trunks.yaml). */
export const DEMO_TRUNKS: Record<string, TrunkBehaviour> = {
  "gw-dtag-ic": { kind: "mix", choices: [
    { weight: 80, behaviour: { kind: "answer", afterMs: 1500, ringMs: 300 } },
    { weight: 10, behaviour: { kind: "busy", afterMs: 800 } },
    { weight: 6, behaviour: { kind: "answer", afterMs: 3000, ringMs: 400 } },
    { weight: 2, behaviour: { kind: "fail", sipCode: 503, afterMs: 200 } },
    { weight: 2, behaviour: { kind: "fail", sipCode: 404, afterMs: 200 } },
  ] },
  "gw-colt-eu": { kind: "mix", choices: [
    { weight: 85, behaviour: { kind: "answer", afterMs: 2000, ringMs: 500 } },
    { weight: 8, behaviour: { kind: "busy", afterMs: 1000 } },
    { weight: 7, behaviour: { kind: "fail", sipCode: 503, afterMs: 300 } },
  ] },
  "gw-bics-world": { kind: "mix", choices: [
    { weight: 88, behaviour: { kind: "answer", afterMs: 2500, ringMs: 800 } },
    { weight: 7, behaviour: { kind: "busy", afterMs: 1200 } },
    { weight: 5, behaviour: { kind: "fail", sipCode: 502, afterMs: 400 } },
  ] },
  // A carrier in trouble: a third of its attempts fail with 503, so failover and trunk health show.
  "gw-turk-direct": { kind: "mix", choices: [
    { weight: 62, behaviour: { kind: "answer", afterMs: 2000, ringMs: 600 } },
    { weight: 5, behaviour: { kind: "busy", afterMs: 900 } },
    { weight: 33, behaviour: { kind: "fail", sipCode: 503, afterMs: 300 } },
  ] },
};

export async function runDemo(o: DemoOptions, io: CliIO): Promise<number> {
  const root = repoRoot();
  const say = (s: string) => io.err(`${s}\n`);
  const node = `demo-${Date.now().toString(36)}`;
  const since = Date.now();
  say("demo: runtime (NATS JetStream, Redis, PostgreSQL)");
  await exec("bash", [join(root, "infra/local/runtime.sh"), "up"], { env: io.env });
  const quiet: CliIO = { ...io, out: () => {}, err: (s) => say(s.trimEnd()) };
  const { runCli } = await import("../main.ts");
  const cfgDir = join(root, "infra/config/example");
  say("demo: applying infra/config/example and seeding the demo accounts");
  if ((await runCli(["apply", "-f", cfgDir], quiet)) !== 0) throw new Error("callctl apply failed");
  if ((await runCli(["account", "seed", "-f", join(cfgDir, "accounts.yaml")], quiet)) !== 0) throw new Error("callctl account seed failed");

  const agentPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...io.env, LOG_LEVEL: io.env.LOG_LEVEL ?? "warn", REQUEST_TIMEOUT_MS: io.env.REQUEST_TIMEOUT_MS ?? "250", NODE_ID: node, SWITCH_DRIVER: o.driver };
  let sim: EslSimulator | AriSimulator;
  if (o.driver === "esl") {
    const esl = new EslSimulator({ agent: { host: "127.0.0.1", port: agentPort }, inboundPort: 0, password: "ClueCon", trunks: DEMO_TRUNKS, defaultPlaybackMs: 2500 });
    const { inboundPort } = await esl.start();
    Object.assign(env, { ESL_LISTEN_PORT: String(agentPort), FS_INBOUND_HOST: "127.0.0.1", FS_INBOUND_PORT: String(inboundPort), FS_INBOUND_PASSWORD: "ClueCon" });
    sim = esl;
  } else {
    const ari = new AriSimulator({ port: 0, username: "callctl", password: "demo-secret", app: "callctl", trunks: DEMO_TRUNKS });
    const { url } = await ari.start();
    Object.assign(env, { ARI_URL: url, ARI_USER: "callctl", ARI_PASSWORD: "demo-secret", ARI_APP: "callctl" });
    sim = ari;
  }
  const logDir = join(root, ".runtime", "demo-logs", node);
  say(`demo: starting routing, tariff, credit, cdr and switch-agent (${o.driver}) as processes; logs in ${logDir}`);
  let stack: Awaited<ReturnType<typeof startDemoStack>> | undefined;
  try {
    stack = await startDemoStack(["routing", "tariff", "credit", "cdr", "switch-agent"], env, logDir);
    return await drive(o, io, sim, node, since, env, stack.ports);
  } finally {
    await stack?.stop();
    await sim.stop();
  }
}

async function drive(o: DemoOptions, io: CliIO, sim: EslSimulator | AriSimulator, node: string, since: number, env: NodeJS.ProcessEnv, ports: Record<string, number>): Promise<number> {
  const say = (s: string) => io.err(`${s}\n`);
  const nc = await connectNats(env.NATS_URL ?? "nats://127.0.0.1:4222", "callctl-demo");
  const obs = new Observer(nc, node, since);
  await obs.follow();

  let stopRequested = false;
  const onSignal = () => {
    stopRequested = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const rnd = seeded(o.seed);
  const inflight = new Set<Promise<unknown>>();
  const decision = async () => {
    const r = await fetch(`http://127.0.0.1:${ports["switch-agent"]}/node`).then((x) => x.json(), () => undefined);
    return (r as { stats?: { decision?: { p50_us: number; p99_us: number } } } | undefined)?.stats?.decision ?? { p50_us: 0, p99_us: 0 };
  };
  const line = async () => {
    const d = await decision();
    const s = obs.snapshot();
    return `calls ${obs.placed}${o.calls ? `/${o.calls}` : ""} done ${obs.completed} | NER ${pct(s.ner)} ASR ${pct(s.asr)} | rejected ${obs.rejected} | decision p50 ${ms(d.p50_us)} p99 ${ms(d.p99_us)} | PDD p50 ${ms(s.pdd.p50_us)} | CDRs ${obs.cdrIds.size}`;
  };
  const tty = Boolean(process.stderr.isTTY);
  const ticker = setInterval(() => {
    void line().then((l) => io.err(tty ? `\r${l}\x1b[K` : `${l}\n`));
  }, tty ? 1000 : 5000);
  try {
    say(`demo: placing calls at ${o.cps}/s${o.calls ? `, ${o.calls} in all` : "; Ctrl-C stops"}`);
    const t0 = Date.now();
    while (!stopRequested && (o.calls === undefined || obs.placed < o.calls)) {
      const due = Math.floor(((Date.now() - t0) / 1000) * o.cps) + 1;
      while (obs.placed < due && (o.calls === undefined || obs.placed < o.calls)) {
        const entry = pickEntry(DEFAULT_MIX, rnd);
        const spec: SimCallSpec = { ...entry.make(rnd), hangupAfterAnswerMs: 3000 + Math.floor(rnd() * 20_000), hangupAfterMs: 25_000 };
        if (rnd() < o.hangupDuringAnnouncement) spec.hangupDuringAnnouncementMs = 300 + Math.floor(rnd() * 1500);
        obs.placed++;
        const p = sim.placeCall(spec).done.then(
          (r) => obs.record({ answered: r.answered, q850: r.q850, attempts: r.attempts.length, pddMs: r.pddMs, earlyMedia: r.earlyMedia }),
          () => {
            obs.failedToPlace++;
          },
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 120_000))]);
    // Every call the agent saw must reach the CDR stream exactly once, then the sink.
    const settleUntil = Date.now() + 60_000;
    let last = -1;
    let stableSince = Date.now();
    while (Date.now() < settleUntil) {
      const n = obs.cdrIds.size;
      if (n !== last) {
        last = n;
        stableSince = Date.now();
      }
      if (n >= obs.started.size && obs.started.size > 0 && Date.now() - stableSince > 1500) break;
      if (Date.now() - stableSince > 15_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    let sink = await countSink(env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/callctl", env.CDR_SCHEMA ?? "cdr", node);
    for (let i = 0; i < 60 && sink.distinct < obs.cdrIds.size; i++) {
      await new Promise((r) => setTimeout(r, 500));
      sink = await countSink(env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/callctl", env.CDR_SCHEMA ?? "cdr", node);
    }
    clearInterval(ticker);
    const d = await decision();
    const s = obs.snapshot();
    const missing = [...obs.started].filter((id) => !obs.cdrIds.has(id) || !sink.ids.has(id)).length;
    const summary = {
      driver: o.driver,
      node,
      calls: obs.placed,
      completed: obs.completed,
      attempts: obs.kpi.seizures,
      answered: obs.answered,
      rejected_before_dial: obs.rejected,
      ner: Math.round(s.ner * 10000) / 10000,
      asr: Math.round(s.asr * 10000) / 10000,
      pdd_ms: { p50: s.pdd.p50_us / 1000, p99: s.pdd.p99_us / 1000 },
      decision_ms: { p50: d.p50_us / 1000, p99: d.p99_us / 1000 },
      calls_started_events: obs.started.size,
      cdrs_stream: obs.cdrIds.size,
      cdrs_postgres: sink.distinct,
      lost: missing + Math.max(0, obs.placed - obs.failedToPlace - obs.started.size),
      duplicated: obs.cdrMessages - obs.cdrIds.size + (sink.rows - sink.distinct),
      seconds: Math.round((Date.now() - t0) / 100) / 10,
    };
    io.err(tty ? "\n" : "");
    if (o.json) io.out(`${JSON.stringify(summary)}\n`);
    else io.out(`${Object.entries(summary).map(([k, v]) => `${k.padEnd(22)} ${typeof v === "object" ? JSON.stringify(v) : v}`).join("\n")}\n`);
    return summary.lost === 0 && summary.duplicated === 0 ? 0 : 1;
  } finally {
    clearInterval(ticker);
    obs.stop();
    await nc.close();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
