// callctl account / grant: clear coded errors, and bad input changes nothing.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CallctlError } from "@callctl/core";
import { TEST_REDIS_URL } from "@callctl/core/testing";
import t from "tap";
import { accountCommands, type CliCommand, grantCommands } from "../src/cli.ts";
import { fixture } from "./helpers.ts";

const f = await fixture();
const dir = mkdtempSync(join(tmpdir(), "credit-cli-"));
t.teardown(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});
class Usage extends CallctlError {
  constructor(m: string) {
    super("USAGE", m);
  }
}
const cmds: CliCommand[] = [...accountCommands({ usage: (m) => new Usage(m) }), ...grantCommands({ usage: (m) => new Usage(m) })];
const env = { ...process.env, REDIS_URL: TEST_REDIS_URL, CREDIT_PREFIX: f.prefix };

/** Runs one command like services/cli/src/main.ts does: usage errors exit 2, coded errors exit 1. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cmd = [...cmds].sort((a, b) => b.name.length - a.name.length).find((c) => c.name.split(" ").every((w, i) => argv[i] === w));
  if (!cmd) throw new Error(`no command ${argv.join(" ")}`);
  let out = "";
  let err = "";
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), env, cwd: process.cwd() };
  try {
    return { code: await cmd.run(argv.slice(cmd.name.split(" ").length), io), out, err };
  } catch (e) {
    if (!(e instanceof CallctlError)) throw e;
    return { code: e.code === "USAGE" ? 2 : 1, out, err: `${e.code}: ${e.message}` };
  }
}

t.test("create, top up, show, block, unblock", async (t) => {
  t.equal((await cli("account", "create", "prepaid:9001", "--kind", "prepaid", "--balance", "10")).code, 0);
  const up = await cli("account", "topup", "prepaid:9001", "12,50");
  t.equal(up.code, 0);
  t.match(up.out, /balance 22\.5000 €/);
  t.equal((await cli("account", "block", "prepaid:9001", "--reason", "chargeback")).code, 0);
  const show = await cli("account", "show", "prepaid:9001", "--json");
  const v = JSON.parse(show.out);
  t.same([v.status, v.blockReason, v.balanceMicro], ["blocked", "chargeback", 22_500_000]);
  t.same(v.audit.map((e: { action: string }) => e.action), ["block", "topup", "create"]);
  t.equal((await cli("account", "unblock", "prepaid:9001", "--reason", "paid")).code, 0);
  t.match((await cli("account", "show", "prepaid:9001")).out, /prepaid:9001 {2}prepaid {2}active/);
});

t.test("errors are coded, exit 1 or 2, and change nothing", async (t) => {
  await cli("account", "create", "prepaid:9002", "--kind", "prepaid", "--balance", "95");
  const cases: [string[], number, RegExp][] = [
    [["account", "topup", "prepaid:9002", "6"], 1, /^TOPUP_CAP_EXCEEDED: .*002 §5\.1/],
    [["account", "topup", "prepaid:9002", "-5"], 2, /^USAGE: Unknown option '-5'/],
    [["account", "topup", "prepaid:9002", "--", "-5"], 1, /^BAD_REQUEST: amount: must be positive/],
    [["account", "topup", "prepaid:9002", "five"], 1, /^BAD_REQUEST: amount: not an amount of money/],
    [["account", "topup", "prepaid:9002", "0"], 1, /^BAD_REQUEST/],
    [["account", "topup", "nobody", "5"], 1, /^UNKNOWN_ACCOUNT: no account "nobody"/],
    [["account", "topup", "prepaid:9002"], 2, /^USAGE: expected 2 argument/],
    [["account", "create", "prepaid:9002", "--kind", "prepaid"], 1, /^CONFLICT/],
    [["account", "create", "x1", "--kind", "gold"], 2, /^USAGE: --kind/],
    [["account", "create", "x2", "--kind", "prepaid", "--balance", "150"], 1, /^TOPUP_CAP_EXCEEDED/],
    [["account", "create", "x3", "--kind", "prepaid", "--max-concurrent", "two"], 2, /^USAGE: --max-concurrent must be a whole number/],
    [["account", "block", "prepaid:9002"], 2, /^USAGE: --reason is required/],
    [["account", "block", "ghost", "--reason", "x"], 1, /^UNKNOWN_ACCOUNT/],
    [["account", "show", "ghost"], 1, /^UNKNOWN_ACCOUNT/],
    [["grant", "adtime", "--session", "w1", "--ad-minutes", "abc"], 2, /^USAGE: --ad-minutes must be a positive number/],
    [["grant", "adtime", "--session", "w1", "--ad-minutes", "-1"], 2, /^USAGE/],
    [["grant", "adtime", "--session", "w1", "--ad-minutes", "0"], 1, /^BAD_REQUEST/],
    [["grant", "adtime", "--session", "w1", "--ad-minutes", "1", "--zone", "MARS"], 1, /^BAD_REQUEST: --zone: unknown zone/],
    [["grant", "adtime", "--ad-minutes", "1"], 2, /^USAGE: --session is required/],
  ];
  for (const [argv, code, msg] of cases) {
    const r = await cli(...argv);
    t.equal(r.code, code, argv.join(" "));
    t.match(r.err, msg, argv.join(" "));
  }
  const v = JSON.parse((await cli("account", "show", "prepaid:9002", "--json")).out);
  t.same([v.balanceMicro, v.status, v.audit.length], [95_000_000, "active", 1], "nothing changed");
  for (const id of ["x1", "x2", "x3"]) t.equal((await cli("account", "show", id)).code, 1, `${id} not created`);
  t.equal(await f.redis.exists(`${f.prefix}a:ad:w1`), 0, "no session created");
});

t.test("grant adtime and seed from YAML", async (t) => {
  const g = await cli("grant", "adtime", "--session", "w2", "--ad-minutes", "2", "--zone", "DE_MOBILE");
  t.equal(g.code, 0);
  t.match(g.out, /session w2: 2 ad minutes, 10 min 0 s talk time to DE_MOBILE/);
  const file = join(dir, "accounts.yaml");
  writeFileSync(file, `accounts:\n  - { id: "prepaid:1001", kind: prepaid, balance: "20.00", pin: "4711" }\n  - { id: "pp:1", kind: postpaid, limits: { dailySpendMicro: 5000000 }, freeMinutes: [{ id: de, minutes: 100, zones: [DE_FIXED], monthlyCapMinutes: 30 }] }\n`);
  const s1 = await cli("account", "seed", "-f", file);
  t.equal(s1.code, 0);
  t.match(s1.out, /prepaid:1001: created, balance 20\.0000 €/);
  await cli("account", "topup", "prepaid:1001", "1");
  t.match((await cli("account", "seed", "-f", file)).out, /prepaid:1001: updated \(balance kept\), balance 21\.0000 €/);
  t.equal(await f.redis.get(`${f.prefix}pin:4711`), "prepaid:1001", "PIN alias for calling-card access");
  writeFileSync(file, "accounts:\n  - { id: bad, kind: prepaid, colour: red }\n");
  const bad = await cli("account", "seed", "-f", file);
  t.equal(bad.code, 1);
  t.match(bad.err, /CONFIG_INVALID: .*accounts\.0/);
});

t.test("the real callctl binary maps usage and coded errors to exit codes 2 and 1", async (t) => {
  const bin = join(import.meta.dirname, "../../../bin/callctl");
  const run = promisify(execFile);
  const usage = await run(bin, ["grant", "adtime", "--session", "w3", "--ad-minutes", "lots"], { env }).catch((e) => e);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--ad-minutes must be a positive number/);
  const coded = await run(bin, ["account", "topup", "nobody", "5"], { env }).catch((e) => e);
  t.equal(coded.code, 1);
  t.match(coded.stderr, /UNKNOWN_ACCOUNT/);
});
