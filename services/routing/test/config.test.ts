// Configuration: the example validates; bad files are refused naming file, path and reason;
// a swap is atomic (a decision sees the old or the new tables, never a mix).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigFileError, loadConfigFile } from "@callctl/core";
import t from "tap";
import { compile, loadRoutingTables, Router, routingConfigSchema } from "../src/index.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");

function withChange(file: string, edit: (s: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "routing-cfg-"));
  cpSync(EXAMPLE, dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, edit(readFileSync(path, "utf8")));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function issuesOf(dir: string) {
  try {
    loadConfigFile(routingConfigSchema, dir);
  } catch (err) {
    if (err instanceof ConfigFileError) return err.issues.map((i) => ({ ...i, file: i.file.replace(`${dir}/`, "") }));
    throw err;
  }
  return [];
}

t.test("the example configuration is valid and compiles", async (t) => {
  const tables = loadRoutingTables(EXAMPLE);
  t.same([...tables.brands.keys()].sort(), ["010018", "01012", "01052", "01088", "01097", "callpartner"]);
  t.same([...tables.brandsByCode.keys()].sort(), ["010018", "01012", "01052", "01088", "01097"]);
  t.ok(tables.brands.get("01097")!.trunks.length >= 3, "at least three trunks");
  t.match(tables.version, /^de-2025\.1-[0-9a-f]{10}$/);
});

t.test("errors name file, path and reason", async (t) => {
  const cases: [string, (s: string) => string, { file: string; path: string; reason: RegExp }][] = [
    ["brands.yaml", (s) => s.replace('carrierCode: "01097"', 'carrierCode: "01197"'), { file: "brands.yaml", path: "brands.01097.carrierCode", reason: /010xy/ }],
    ["brands.yaml", (s) => s.replace('carrierCode: "01052"', 'carrierCode: "01097"'), { file: "brands.yaml", path: "brands.01052.carrierCode", reason: /already brand 01097/ }],
    ["brands.yaml", (s) => s.replace("zoneDeck: de-standard", "zoneDeck: nowhere"), { file: "brands.yaml", path: "brands.01097.zoneDeck", reason: /unknown zone deck nowhere/ }],
    ["brands.yaml", (s) => s.replace("products: [prepaid]", "products: [postpaid]"), { file: "brands.yaml", path: "brands.01088.products.0", reason: /unknown product postpaid/ }],
    ["brands.yaml", (s) => s.replace("    name: 01097telecom", "    name: 01097telecom\n    colour: red"), { file: "brands.yaml", path: "brands.01097", reason: /colour/ }],
    ["trunks.yaml", (s) => s.replace("gateway: gw-dtag-ic", "gateway: dtag"), { file: "trunks.yaml", path: "trunks.dtag-ic.gateway", reason: /gw-<id>/ }],
    ["trunks.yaml", (s) => s.replace("rateDeck: dtag-ic-2025", "rateDeck: dtag-1999"), { file: "trunks.yaml", path: "trunks.dtag-ic.rateDeck", reason: /unknown rate deck/ }],
    ["rate-decks.yaml", (s) => s.replace('"4915": 2000 ', '"4915": 0.2 '), { file: "rate-decks.yaml", path: "rateDecks.dtag-ic-2025.rates.4915", reason: /whole number of micro-euro/ }],
    ["zones.yaml", (s) => s.replace('"90": TR', '"90": ASIA'), { file: "zones.yaml", path: "zoneDecks.de-standard.zones.90", reason: /Invalid option/ }],
    ["blocks.yaml", (s) => s.replace("global: [de-premium-0900,", "global: [de-premium-0999,"), { file: "blocks.yaml", path: "blockGroups.global.0", reason: /unknown block group de-premium-0999/ }],
    ["blocks.yaml", (s) => s.replace("numberTypes: [PREMIUM], countries: [DE]", "numberTypes: [PREMIUMS], countries: [DE]"), { file: "blocks.yaml", path: "blockGroups.groups.de-premium-0900.numberTypes.0", reason: /Invalid option/ }],
    ["subscribers.yaml", (s) => s.replace('"493012345670":', '"+493012345670":'), { file: "subscribers.yaml", path: "subscribers.+493012345670", reason: /E.164 without/ }],
    ["number-plan.yaml", (s) => s.replace('{ prefix: "32", type: NATIONAL_SUBSCRIBER, minLength: 10', '{ prefix: "32", type: NATIONAL_SUBSCRIBER, minLength: 12'), { file: "number-plan.yaml", path: "numberPlan.ranges.15.minLength", reason: /greater than maxLength/ }],
    ["products.yaml", (s) => s.replace("account: registered", "account: magic"), { file: "products.yaml", path: "products.prepaid.account", reason: /Invalid option/ }],
  ];
  for (const [file, edit, want] of cases) {
    const issues = issuesOf(withChange(file, edit));
    t.match(issues, [want], `${want.path}: ${want.reason}`);
  }
  t.match(issuesOf(withChange("brands.yaml", (s) => `${s}\n  bad: [`)), [{ file: "brands.yaml", path: "", reason: /./ }], "YAML syntax errors name the file");
  t.match(issuesOf(withChange("trunks.yaml", (s) => `${s}\nbrands: {}\n`)), [{ file: "trunks.yaml", path: "brands", reason: /also defined in/ }], "a key in two files");
  t.same(issuesOf(withChange("brands.yaml", (s) => `${s}\nsomeOtherService: { anything: goes }\n`)), [], "other services' top-level keys pass");
});

t.test("atomic swap: every decision sees one whole configuration", async (t) => {
  const base = loadRoutingTables(EXAMPLE);
  const cfgB = structuredClone(base.config);
  // B: a different deck price and a brand block on German mobile for 01097
  cfgB.rateDecks["dtag-ic-2025"]!.rates["49"] = 700;
  cfgB.brands["01097"]!.blocks = ["de-mobile"];
  const tabB = compile(routingConfigSchema.parse(cfgB), 2);
  const router = new Router({ tables: base });
  const fixed = { dialed: "01097030123456", caller: "49891234567" };
  const mobile = { dialed: "0109701711234567", caller: "49891234567" };
  t.equal(router.decide(fixed).candidates?.[0]?.costMicroPerMin, 900);
  let swaps = 0;
  let mixed = 0;
  for (let i = 0; i < 20_000; i++) {
    if (i % 97 === 0) router.swap(swaps++ % 2 ? base : tabB);
    const a = router.decide(fixed);
    const b = router.decide(mobile);
    const aIsB = a.configVersion === tabB.version;
    const bIsB = b.configVersion === tabB.version;
    if (a.candidates?.[0]?.costMicroPerMin !== (aIsB ? 700 : 900)) mixed++;
    if (bIsB !== (b.reject?.reason === "BLOCKED_BRAND")) mixed++;
  }
  t.equal(mixed, 0, "no decision mixed two configurations");
  t.ok(swaps > 100);
});
