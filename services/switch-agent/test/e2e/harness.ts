// End-to-end fixture: the REAL routing, tariff, credit and cdr services in-process over real NATS,
// Redis and JetStream, each on private subjects / streams / KV bucket / Redis prefix (tests run in
// parallel on one server), the switch agent on a scaled clock and a switch simulator at timeScale
// 1/SCALE. Virtual time runs SCALE× faster, so a 120 s prepaid limit takes 1.2 s of real time.
import { join } from "node:path";
import { type callctl, createLogger, putConfig, readYamlConfig } from "@callctl/core";
import { TEST_REDIS_URL, testNats, uniq } from "@callctl/core/testing";
import { Assembler, ensureTestStreams, testTopology } from "@callctl/cdr";
import { creditSubjects, makePolicy, startCreditService, type CreditService } from "@callctl/credit";
import { startRouting } from "@callctl/routing";
import { startTariffService, TariffEngine, watchTariffs } from "@callctl/tariff";
import { Kvm, type KV } from "@nats-io/kv";
import { trace } from "@opentelemetry/api";
import { Redis } from "ioredis";
import { type Clock, scaledClock } from "../../src/clock.ts";
import { type CallState, startSwitchAgent, type SwitchAgent } from "../../src/index.ts";
import type { AgentSubjects } from "../../src/runner.ts";

export const EXAMPLE = join(import.meta.dirname, "../../../../infra/config/example");
/** Virtual ms per real ms. The simulators run at timeScale 1 / SCALE. */
export const SCALE = 100;

type Cdr = callctl.v1.Cdr.$Properties;

export interface Stack {
  p: string;
  nc: Awaited<ReturnType<typeof testNats>>;
  kv: KV;
  doc: Record<string, unknown>;
  credit: CreditService;
  tariff: TariffEngine;
  subjects: AgentSubjects;
  /** The agents' (virtual) clock. */
  clock: Clock;
  cdrs: Map<string, Cdr>;
  ended: Map<string, CallState>;
  /** Resolves with the CDR of a call once the assembler published it. */
  cdr(callId: string): Promise<Cdr>;
  /** Resolves with the agent's final state of the call whose switch channel is `channelId`. */
  endedOf(pred: (s: CallState) => boolean): Promise<CallState>;
  startAgent(driver: "esl" | "ari", extra?: Partial<Parameters<typeof startSwitchAgent>[0]>): Promise<SwitchAgent>;
  /** Puts a configuration document into this test's bucket and waits until tariff applied it. */
  putDoc(doc: Record<string, unknown>): Promise<void>;
  balance(account: string): Promise<number>;
  close(): Promise<void>;
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

export async function startStack(name: string, accounts: Array<Record<string, unknown>> = []): Promise<Stack> {
  const log = createLogger(name, { level: (process.env.TEST_LOG as "info") ?? "silent" });
  const tracer = trace.getTracer(name);
  const p = uniq("sa");
  const nc = await testNats(name);
  const topo = testTopology(p);
  const dropStreams = await ensureTestStreams(nc, topo);
  const kv = await new Kvm(nc).create(`B${p}`, { history: 2 });
  const { doc } = readYamlConfig(EXAMPLE);
  await putConfig(kv, doc);
  const stops: Array<() => Promise<unknown> | unknown> = [];

  const routing = await startRouting({ nc, kv, log, tracer, subjects: { decide: `${p}.route.decide`, blocks: `${p}.route.blocks`, attempts: `${p}.calls.attempt`, stream: topo.callsStream } });
  stops.push(() => routing.stop());
  await routing.loaded;
  const tariff = new TariffEngine();
  const watch = await watchTariffs(kv, tariff, log);
  stops.push(() => watch.stop());
  const tsvc = await startTariffService(nc, tariff, { log, tracer, subjects: { quote: `${p}.tariff.quote`, rate: `${p}.tariff.rate` }, queue: p });
  stops.push(() => tsvc.stop());
  await until(() => tariff.ready);

  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const credSubj = creditSubjects(`${p}.credit`);
  const credit = await startCreditService({
    nc, redis, log, tracer, prefix: `${p}:`, name: `credit-${p}`, subjects: credSubj,
    policy: makePolicy({ ...(doc.credit as object), failSafe: { postpaidMaxS: 300, redisTimeoutMs: 2000 } }),
  });
  stops.push(() => credit.stop());
  // Overrides replace the example account of the same id (an upsert keeps an existing balance).
  const ids = new Set(accounts.map((a) => a.id));
  for (const a of [...(doc.accounts as Array<Record<string, unknown>>).filter((a) => !ids.has(a.id)), ...accounts]) await credit.admin.create(a, { upsert: true });

  const cdrs = new Map<string, Cdr>();
  const ended = new Map<string, CallState>();
  const asm = new Assembler({ nc, log, topology: topo, onCdr: (c) => cdrs.set(c.callId ?? "", c), lingerMs: 200, sweepMs: 50 });
  await asm.start();
  stops.push(() => asm.stop());

  const subjects: AgentSubjects = {
    route: `${p}.route.decide`, quote: `${p}.tariff.quote`, authorize: credSubj.authorize, extend: credSubj.extend, release: credSubj.release,
    callEvent: (k) => `${p}.calls.${k}`, callback: `${p}.callback.request`,
  };
  const agents: SwitchAgent[] = [];
  const clock = scaledClock(SCALE);
  return {
    p, nc, kv, doc, credit, tariff, subjects, clock, cdrs, ended,
    async cdr(callId) {
      await until(() => cdrs.has(callId));
      return cdrs.get(callId)!;
    },
    async endedOf(pred) {
      let hit: CallState | undefined;
      await until(() => !!(hit = [...ended.values()].find(pred)));
      return hit!;
    },
    async startAgent(driver, extra = {}) {
      const agent = await startSwitchAgent({
        nc, log, driver, node: uniq("n"), subjects, clock,
        // Generous deadlines: two test files share the machine; the fail-safe paths have their own tests.
        timeouts: { route: 2000, quote: 2000, authorize: 2000 },
        onCallEnded: (s) => ended.set(s.info.callId + (s.info.leg ?? ""), s),
        ...extra,
      });
      agents.push(agent);
      return agent;
    },
    async putDoc(next) {
      const rev = await putConfig(kv, next);
      await until(() => tariff.revision >= rev);
    },
    async balance(account) {
      return (await credit.admin.show(account)).balanceMicro;
    },
    async close() {
      for (const a of agents) await a.stop();
      for (const s of stops.reverse()) await s();
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${p}:*`, "COUNT", 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      redis.disconnect();
      await kv.destroy().catch(() => {});
      await dropStreams();
      await nc.close();
    },
  };
}
