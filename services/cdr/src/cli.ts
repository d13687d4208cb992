// `callctl cdr ...`: the logic behind the thin services/cli/src/commands/cdr.ts.
import { parseArgs } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { CallctlError, connectNats, ValidationError } from "@callctl/core";
import { reconcile, summarize } from "./reconcile.ts";
import { billCsv, itemisedBill } from "./sink/export.ts";
import { migrate } from "./sink/migrate.ts";
import { erase, holdAdd, holdList, holdRelease, markInvoiced, runRetention, shorten, type Ctx } from "./sink/privacy.ts";
import { DEFAULT_TOPOLOGY } from "./topology.ts";

/** The shape of a CLI command (services/cli/src/command.ts), structural to avoid a cycle. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run: (args: string[], io: { out: (s: string) => void; err: (s: string) => void; env: NodeJS.ProcessEnv; cwd: string }) => Promise<number>;
}
type Opts = NonNullable<Parameters<typeof parseArgs>[0]>["options"];
type Io = Parameters<CliCommand["run"]>[1];

const SEL = { account: { type: "string" }, from: { type: "string" }, to: { type: "string" }, reason: { type: "string" } } as const;

/** Dates: ISO 8601 ("2025-01-01", "2025-01-01T10:00:00Z") or epoch ms. */
export function parseTime(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d{10,}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new ValidationError(`--${name}: not a date: ${JSON.stringify(v)}`, { option: name });
  return ms;
}

export function cdrCommands(deps: { usage: (m: string) => Error }): CliCommand[] {
  const args = (argv: string[], options: Opts) => {
    try {
      return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
    } catch (err) {
      throw deps.usage((err as Error).message);
    }
  };
  const need = (v: Record<string, unknown>, ...names: string[]) => {
    for (const k of names) if (typeof v[k] !== "string" || !v[k]) throw deps.usage(`--${k} is required`);
  };
  const withPool = async <T>(io: Io, fn: (c: Ctx) => Promise<T>): Promise<T> => {
    const pool = new pg.Pool({ connectionString: io.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/callctl", max: 2 });
    const schema = io.env.CDR_SCHEMA ?? "cdr";
    try {
      await migrate(pool, schema);
      return await fn({ pool, schema, actor: io.env.CALLCTL_ACTOR ?? io.env.USER ?? "cli" });
    } catch (err) {
      if (err instanceof CallctlError) throw err;
      throw new CallctlError("PG_UNAVAILABLE", `PostgreSQL: ${(err as Error).message}`, { cause: err });
    } finally {
      await pool.end();
    }
  };
  const json = (io: Io, v: unknown) => io.out(`${JSON.stringify(v, null, 2)}\n`);
  const sel = (v: Record<string, string | boolean | undefined>) => ({ account: v.account as string, fromMs: parseTime(v.from as string | undefined, "from"), toMs: parseTime(v.to as string | undefined, "to") });

  return [
    {
      name: "cdr export",
      summary: "itemised bill of an account (csv or json)",
      usage: "callctl cdr export --account A --from 2025-01-01 --to 2025-02-01 [--truncate] [--format csv|json]",
      run: async (argv, io) => {
        const v = args(argv, { ...SEL, truncate: { type: "boolean" }, format: { type: "string" } });
        need(v, "account", "from", "to");
        const format = (v.format as string | undefined) ?? "csv";
        if (format !== "csv" && format !== "json") throw deps.usage("--format must be csv or json");
        const s = sel(v);
        const bill = await withPool(io, (c) => itemisedBill(c.pool, { account: s.account, fromMs: s.fromMs!, toMs: s.toMs!, truncate: !!v.truncate, schema: c.schema }));
        if (format === "json") json(io, bill);
        else io.out(billCsv(bill));
        return 0;
      },
    },
    {
      name: "cdr invoice mark",
      summary: "record an invoice (or prepaid statement) as sent: starts the 6-month retention clock",
      usage: "callctl cdr invoice mark --invoice ID --account A --from D --to D [--sent-at D]",
      run: async (argv, io) => {
        const v = args(argv, { ...SEL, invoice: { type: "string" }, "sent-at": { type: "string" } });
        need(v, "invoice", "account", "from", "to");
        const s = sel(v);
        const sentAt = new Date(parseTime(v["sent-at"] as string | undefined, "sent-at") ?? Date.now());
        const n = await withPool(io, (c) => markInvoiced(c, { invoiceId: v.invoice as string, account: s.account, fromMs: s.fromMs!, toMs: s.toMs!, sentAt }));
        json(io, { invoice: v.invoice, calls: n });
        return 0;
      },
    },
    {
      name: "cdr retention run",
      summary: "delete records 6 months after their invoice, except accounts under a dispute hold",
      usage: "callctl cdr retention run [--months 6] [--dry-run] [--now D]",
      run: async (argv, io) => {
        const v = args(argv, { months: { type: "string" }, "dry-run": { type: "boolean" }, now: { type: "string" } });
        const months = v.months === undefined ? 6 : Number(v.months);
        if (!Number.isInteger(months) || months < 1) throw deps.usage("--months must be a whole number ≥ 1");
        const now = parseTime(v.now as string | undefined, "now");
        json(io, await withPool(io, (c) => runRetention(c, { months, dryRun: !!v["dry-run"], now: now === undefined ? undefined : new Date(now) })));
        return 0;
      },
    },
    ...(["add", "release"] as const).map(
      (op): CliCommand => ({
        name: `cdr hold ${op}`,
        summary: op === "add" ? "keep an account's records until its objection is resolved (002 §11.2)" : "release a dispute hold",
        usage: `callctl cdr hold ${op} --account A --reason TEXT`,
        run: async (argv, io) => {
          const v = args(argv, { account: SEL.account, reason: SEL.reason });
          need(v, "account", "reason");
          const changed = await withPool(io, (c) => (op === "add" ? holdAdd(c, v.account as string, v.reason as string) : holdRelease(c, v.account as string, v.reason as string)));
          json(io, { account: v.account, hold: op, changed });
          return 0;
        },
      }),
    ),
    {
      name: "cdr hold list",
      summary: "active dispute holds",
      usage: "callctl cdr hold list",
      run: async (argv, io) => {
        args(argv, {});
        json(io, await withPool(io, (c) => holdList(c)));
        return 0;
      },
    },
    {
      name: "cdr erase",
      summary: "delete an account's records on request (refused under a dispute hold unless --force)",
      usage: "callctl cdr erase --account A [--from D --to D] --reason TEXT [--force] [--keep-stream]",
      run: async (argv, io) => {
        const v = args(argv, { ...SEL, force: { type: "boolean" }, "keep-stream": { type: "boolean" } });
        need(v, "account", "reason");
        const r = await withPool(io, (c) => erase(c, sel(v), { force: !!v.force, reason: v.reason as string }));
        let stream = 0;
        if (!v["keep-stream"] && r.streamSeqs.length) {
          // The CDR stream holds the same record for up to 6 months: remove it there too.
          const nc = await connectNats(io.env.NATS_URL ?? "nats://127.0.0.1:4222", "callctl-cdr-erase");
          try {
            const jsm = await jetstreamManager(nc);
            for (const seq of r.streamSeqs) if (await jsm.streams.deleteMessage(DEFAULT_TOPOLOGY.cdrStream, seq, true).catch(() => false)) stream++;
          } finally {
            await nc.close();
          }
        }
        json(io, { account: v.account, deleted: r.deleted, deleted_from_stream: stream });
        return 0;
      },
    },
    {
      name: "cdr shorten",
      summary: "store destination numbers shortened by three digits (001 §9.3); --future for new calls too",
      usage: "callctl cdr shorten --account A [--from D --to D] --reason TEXT [--future]",
      run: async (argv, io) => {
        const v = args(argv, { ...SEL, future: { type: "boolean" } });
        need(v, "account", "reason");
        json(io, { account: v.account, shortened: await withPool(io, (c) => shorten(c, sel(v), { future: !!v.future, reason: v.reason as string })), future: !!v.future });
        return 0;
      },
    },
    {
      name: "cdr reconcile",
      summary: "compare the CALLS stream, the CDR stream and the PostgreSQL sink for a period",
      usage: "callctl cdr reconcile --from D --to D",
      run: async (argv, io) => {
        const v = args(argv, { from: SEL.from, to: SEL.to });
        need(v, "from", "to");
        const nc = await connectNats(io.env.NATS_URL ?? "nats://127.0.0.1:4222", "callctl-cdr-reconcile");
        try {
          const r = await withPool(io, (c) => reconcile({ nc, pool: c.pool, schema: c.schema, fromMs: parseTime(v.from as string, "from")!, toMs: parseTime(v.to as string, "to")! }));
          json(io, summarize(r));
          return r.ok ? 0 : 1;
        } finally {
          await nc.close();
        }
      },
    },
  ];
}
