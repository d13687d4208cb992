// compileOffThread (worker thread, transferred tries, one-pass rate validation) gives the same
// tables as compile() and refuses a bad document with exactly the issues validateConfig reports.
import { join } from "node:path";
import { ConfigFileError, readYamlConfig, validateConfig } from "@callctl/core";
import t from "tap";
import { compile, compileOffThread, Router, routingConfigSchema } from "../src/index.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");
const DIALED = ["01097030123456", "0109701711234567", "010970043664123456", "01097004420712345", "0109709001234567", "01097110", "0109712345", "01012004420712345", "+4930123456", "010970012133734567"];

t.test("same decisions as compile(), raw rates dropped", async (t) => {
  const { doc } = readYamlConfig(EXAMPLE);
  const json = JSON.stringify(doc);
  const sync = compile(routingConfigSchema.parse(JSON.parse(json)), 7);
  const off = await compileOffThread(new TextEncoder().encode(json), 7);
  t.equal(off.version, sync.version);
  const a = new Router({ tables: sync, now: () => 0 });
  const b = new Router({ tables: off, now: () => 0 });
  for (const dialed of DIALED) for (const caller of ["49301234567", "", "4989123456"]) t.same(b.decide({ callId: "x", dialed, caller }), a.decide({ callId: "x", dialed, caller }), `${dialed} from ${caller || "no CLI"}`);
  for (const d of Object.values(off.config.rateDecks)) t.same(d.rates, {});
});

t.test("a bad document: the same issues as validateConfig", async (t) => {
  const { doc } = readYamlConfig(EXAMPLE);
  const bad = structuredClone(doc) as { rateDecks: Record<string, { rates: Record<string, unknown> }>; lcr: unknown };
  const deck = Object.keys(bad.rateDecks)[0]!;
  bad.rateDecks[deck]!.rates["49x"] = 5;
  bad.rateDecks[deck]!.rates["491"] = -1;
  bad.lcr = { maxCandidates: 99 };
  const want = t.throws(() => validateConfig(routingConfigSchema, bad, {}, "kv:callctl-config/config@3")) as unknown as ConfigFileError;
  const got = await compileOffThread(JSON.stringify(bad), 3).catch((e: unknown) => e);
  t.ok(got instanceof ConfigFileError);
  t.same((got as ConfigFileError).issues, want.issues);
  const onlyLcr = structuredClone(doc) as Record<string, unknown>;
  onlyLcr.lcr = { maxCandidates: 0 };
  const want2 = t.throws(() => validateConfig(routingConfigSchema, onlyLcr, {}, "kv:callctl-config/config@4")) as unknown as ConfigFileError;
  t.same(((await compileOffThread(JSON.stringify(onlyLcr), 4).catch((e: unknown) => e)) as ConfigFileError).issues, want2.issues);
  await t.rejects(compileOffThread("{not json", 5));
});
