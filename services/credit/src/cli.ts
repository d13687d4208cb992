// `callctl account ...` and `callctl grant adtime ...`: the logic behind the thin files in
// services/cli/src/commands/{account,grant}.ts. Bad input changes nothing and exits 1 or 2.
import { parseArgs } from "node:util";
import { formatEuro, loadConfigFile, ValidationError } from "@callctl/core";
import { Redis } from "ioredis";
import { AccountAdmin, parseAmount } from "./admin.ts";
import { RedisUnavailableError } from "./errors.ts";
import { type AccountSeed, configSchema, type CreditPolicy, DEFAULT_POLICY, makePolicy, ZONES } from "./policy.ts";
import { CreditStore } from "./store.ts";

/** The shape of a CLI command (services/cli/src/command.ts), kept structural to avoid a cycle. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run: (args: string[], io: { out: (s: string) => void; err: (s: string) => void; env: NodeJS.ProcessEnv; cwd: string }) => Promise<number>;
}
export interface CliDeps {
  /** Makes the CLI's usage error (exit code 2). */
  usage: (message: string) => Error;
}
type Opts = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

async function withAdmin<T>(env: NodeJS.ProcessEnv, policy: CreditPolicy, fn: (admin: AccountAdmin) => Promise<T>): Promise<T> {
  const redis = new Redis(env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on("error", () => {});
  try {
    await redis.connect();
  } catch (err) {
    throw new RedisUnavailableError(err);
  }
  try {
    const store = new CreditStore({ redis, prefix: env.CREDIT_PREFIX ?? "cc:", policy: { ...policy, failSafe: { ...policy.failSafe, redisTimeoutMs: 5000 } } });
    return await fn(new AccountAdmin(store));
  } finally {
    redis.disconnect();
  }
}

function args(deps: CliDeps, argv: string[], options: Opts, positionals: number) {
  let r: ReturnType<typeof parseArgs>;
  try {
    r = parseArgs({ args: argv, options, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw deps.usage((err as Error).message);
  }
  if (r.positionals.length !== positionals) throw deps.usage(`expected ${positionals} argument(s), got ${r.positionals.length}`);
  return { v: r.values as Record<string, string | boolean | undefined>, p: r.positionals };
}

function count(deps: CliDeps, v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d+$/.test(v)) throw deps.usage(`--${name} must be a whole number (got ${JSON.stringify(v)})`);
  return Number(v);
}

export function accountCommands(deps: CliDeps): CliCommand[] {
  return [
    {
      name: "account create",
      summary: "create a prepaid or postpaid account in the credit store",
      usage: "callctl account create ID --kind prepaid|postpaid [--balance 10.00] [--pin 1234] [--max-concurrent N] [--calls-per-minute N] [--daily-cap 50.00]",
      async run(argv, io) {
        const { v, p } = args(deps, argv, { kind: { type: "string" }, balance: { type: "string" }, pin: { type: "string" }, "max-concurrent": { type: "string" }, "calls-per-minute": { type: "string" }, "daily-cap": { type: "string" } }, 1);
        if (v.kind !== "prepaid" && v.kind !== "postpaid") throw deps.usage("--kind must be prepaid or postpaid");
        const limits: Record<string, number> = {};
        const mc = count(deps, v["max-concurrent"], "max-concurrent");
        const cpm = count(deps, v["calls-per-minute"], "calls-per-minute");
        if (mc !== undefined) limits.maxConcurrent = mc;
        if (cpm !== undefined) limits.callsPerMinute = cpm;
        if (typeof v["daily-cap"] === "string") limits.dailySpendMicro = parseAmount(v["daily-cap"], "daily-cap");
        const balance = typeof v.balance === "string" ? parseAmount(v.balance, "balance") / 1_000_000 : undefined;
        const seed = { id: p[0] as string, kind: v.kind, balance, pin: v.pin as string | undefined, limits };
        const r = await withAdmin(io.env, DEFAULT_POLICY, (a) => a.create(seed));
        io.out(`account ${p[0]} created (${v.kind}, balance ${formatEuro(r.balanceMicro)})\n`);
        return 0;
      },
    },
    {
      name: "account show",
      summary: "balance, reservations, limits, flags, negative balances and audit trail of an account",
      usage: "callctl account show ID [--json]",
      async run(argv, io) {
        const { v, p } = args(deps, argv, { json: { type: "boolean" } }, 1);
        const view = await withAdmin(io.env, DEFAULT_POLICY, (a) => a.show(p[0] as string));
        if (v.json) {
          io.out(`${JSON.stringify(view, null, 2)}\n`);
          return 0;
        }
        io.out(`${view.id}  ${view.kind}  ${view.status}${view.blockReason ? ` (${view.blockReason})` : ""}\n`);
        io.out(`balance ${formatEuro(view.balanceMicro)}  reserved ${formatEuro(view.reservedMicro)}  available ${formatEuro(view.availableMicro)}  active calls ${view.activeCalls}\n`);
        io.out(`limits: ${view.limits.maxConcurrent} concurrent, ${view.limits.callsPerMinute}/min, daily cap ${view.limits.dailySpendMicro ? formatEuro(view.limits.dailySpendMicro) : "none"}\n`);
        if (view.spike) io.out(`usage spike ${view.spike.month}: ${formatEuro(view.spike.usageMicro)} vs 3-month average ${formatEuro(view.spike.avgMicro)}\n`);
        for (const b of view.freeMinutes) io.out(`free minutes ${b.id} [${b.zones}]: ${Math.floor(b.leftS / 60)} min left${b.monthlyCapS ? `, ${b.monthlyCapS / 60} min/month` : ""}\n`);
        for (const n of view.negatives) io.out(`negative after call ${n.callId}: ${formatEuro(n.balanceMicro)}\n`);
        for (const e of view.audit.slice(0, 10)) io.out(`audit ${new Date(Number(e.at)).toISOString()} ${JSON.stringify(e)}\n`);
        return 0;
      },
    },
    {
      name: "account topup",
      summary: "top up a prepaid balance (at most 100 € balance, 002 §5.1)",
      usage: "callctl account topup ID AMOUNT   (e.g. 10, 12.50, 990ct)",
      async run(argv, io) {
        const { p } = args(deps, argv, {}, 2);
        const amount = parseAmount(p[1] as string);
        const bal = await withAdmin(io.env, DEFAULT_POLICY, (a) => a.topup(p[0] as string, amount));
        io.out(`account ${p[0]}: +${formatEuro(amount)}, balance ${formatEuro(bal)}\n`);
        return 0;
      },
    },
    {
      name: "account block",
      summary: "block an account or CLI (cli:<E164>) with a reason (001 §12.2)",
      usage: "callctl account block ID --reason TEXT",
      async run(argv, io) {
        const { v, p } = args(deps, argv, { reason: { type: "string" } }, 1);
        if (typeof v.reason !== "string" || !v.reason) throw deps.usage("--reason is required");
        await withAdmin(io.env, DEFAULT_POLICY, (a) => a.block(p[0] as string, v.reason as string, io.env.USER ?? "cli"));
        io.out(`account ${p[0]} blocked: ${v.reason}\n`);
        return 0;
      },
    },
    {
      name: "account unblock",
      summary: "lift a block once its reason is gone (001 §12.2)",
      usage: "callctl account unblock ID [--reason TEXT]",
      async run(argv, io) {
        const { v, p } = args(deps, argv, { reason: { type: "string" } }, 1);
        const was = await withAdmin(io.env, DEFAULT_POLICY, (a) => a.unblock(p[0] as string, (v.reason as string) ?? "", io.env.USER ?? "cli"));
        io.out(`account ${p[0]} ${was ? "unblocked" : "was not blocked"}\n`);
        return 0;
      },
    },
    {
      name: "account seed",
      summary: "create the accounts of a YAML file (key `accounts`); existing ones keep their balance",
      usage: "callctl account seed -f infra/config/example/accounts.yaml",
      async run(argv, io) {
        const { v } = args(deps, argv, { file: { type: "string", short: "f" } }, 0);
        if (typeof v.file !== "string") throw deps.usage("-f FILE is required");
        const doc = loadConfigFile(configSchema, v.file);
        const seeds: AccountSeed[] = doc.accounts ?? [];
        const policy = doc.credit ? makePolicy(doc.credit) : DEFAULT_POLICY;
        await withAdmin(io.env, policy, async (a) => {
          for (const s of seeds) {
            const r = await a.create(s, { upsert: true, by: "seed" });
            io.out(`${s.id}: ${r.created ? "created" : "updated (balance kept)"}, balance ${formatEuro(r.balanceMicro)}\n`);
          }
        });
        return 0;
      },
    },
  ];
}

export function grantCommands(deps: CliDeps): CliCommand[] {
  return [
    {
      name: "grant adtime",
      summary: "ad minutes watched in a web session buy talk time (000 §5.3)",
      usage: "callctl grant adtime --session S --ad-minutes N [--zone ZONE]",
      async run(argv, io) {
        const { v } = args(deps, argv, { session: { type: "string" }, "ad-minutes": { type: "string" }, zone: { type: "string" } }, 0);
        if (typeof v.session !== "string") throw deps.usage("--session is required");
        const raw = v["ad-minutes"];
        if (typeof raw !== "string" || !/^\d+(\.\d+)?$/.test(raw)) throw deps.usage(`--ad-minutes must be a positive number (got ${JSON.stringify(raw ?? null)})`);
        const zone = v.zone as string | undefined;
        if (zone !== undefined && !(ZONES as readonly string[]).includes(zone)) throw new ValidationError(`--zone: unknown zone ${JSON.stringify(zone)} (one of ${ZONES.join(", ")})`, { field: "zone" });
        const r = await withAdmin(io.env, DEFAULT_POLICY, (a) => a.grantAdTime(v.session as string, Number(raw), zone));
        const talk = r.talkSecondsForZone === null ? "" : `, ${Math.floor(r.talkSecondsForZone / 60)} min ${r.talkSecondsForZone % 60} s talk time to ${zone} (at most 10 min per call)`;
        io.out(`session ${r.session}: ${r.adMinutes} ad minutes${talk}, until ${new Date(r.expiresAtMs).toISOString()}\n`);
        return 0;
      },
    },
  ];
}
