// Emergency and harmonised numbers (110, 112, 115, 116xyz) dialed with a carrier code: REJECT
// with their own reason by default (DOMAIN.md §1.3 design rule); a brand that names an
// emergencyTrunk routes them there free of charge (cost 0, zone DE_FREEPHONE, no account or block
// check). An unknown trunk is refused when the configuration is validated.
import { join } from "node:path";
import { ConfigFileError, pb, readYamlConfig, validateConfig } from "@callctl/core";
import t from "tap";
import { compile, Router, routingConfigSchema } from "../src/index.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");
type Doc = { brands: Record<string, Record<string, unknown>>; trunks: Record<string, Record<string, unknown>> };

function routerWith(edit: (doc: Doc) => void): Router {
  const doc = structuredClone(readYamlConfig(EXAMPLE).doc) as unknown as Doc;
  edit(doc);
  return new Router({ tables: compile(validateConfig(routingConfigSchema, doc)), now: () => 0 });
}

t.test("default: REJECT EMERGENCY_NUMBER / HARMONISED_NUMBER", async (t) => {
  const r = routerWith(() => {});
  t.equal(r.decide({ dialed: "01097112", caller: "49301234567" }).reject?.reason, "EMERGENCY_NUMBER");
  t.equal(r.decide({ dialed: "01097116117", caller: "49301234567" }).reject?.reason, "HARMONISED_NUMBER");
});

t.test("a brand's emergency trunk: ROUTE free of charge, other brands unchanged", async (t) => {
  const r = routerWith((doc) => {
    doc.brands["01097"]!.emergencyTrunk = "dtag-ic";
    doc.trunks["dtag-ic"]!.techPrefix = "99";
  });
  for (const [dialed, e164, type] of [
    ["01097112", "49112", pb.NumberType.EMERGENCY],
    ["01097110", "49110", pb.NumberType.EMERGENCY],
    ["01097116117", "49116117", pb.NumberType.HARMONISED],
  ] as const) {
    // no CLI: call-by-call would otherwise need one (CLI_REQUIRED); emergency calls go through
    const d = r.decide({ callId: "e", dialed, caller: "" });
    t.equal(d.outcome, pb.RouteOutcome.ROUTE, dialed);
    t.same(d.destination, { e164, country: "DE", numberType: type, zone: "DE_FREEPHONE" });
    t.same(d.candidates, [{ trunkId: "dtag-ic", gateway: "gw-dtag-ic", dialNumber: `99${e164}`, costMicroPerMin: 0, timeoutMs: 60000, health: "CLOSED" }]);
    t.equal(d.accountId, "", "not billed to anyone");
  }
  t.equal(r.decide({ dialed: "01052112", caller: "49301234567" }).reject?.reason, "EMERGENCY_NUMBER", "01052 names no emergency trunk");
  t.equal(r.decide({ dialed: "01097012345678", caller: "49301234567" }).reject?.reason, "BLOCKED_GLOBAL", "012 still blocked");
});

t.test("offered even with its breaker open; a disabled trunk means REJECT", async (t) => {
  const r = routerWith((doc) => {
    doc.brands["01097"]!.emergencyTrunk = "dtag-ic";
  });
  for (let i = 0; i < 30; i++) r.health.recordOutcome("dtag-ic", true, 0);
  t.same(r.decide({ dialed: "01097112", caller: "49301234567" }).candidates?.map((c) => [c.trunkId, c.health]), [["dtag-ic", "OPEN"]]);
  const off = routerWith((doc) => {
    doc.brands["01097"]!.emergencyTrunk = "dtag-ic";
    doc.trunks["dtag-ic"]!.enabled = false;
  });
  t.equal(off.decide({ dialed: "01097112", caller: "49301234567" }).reject?.reason, "EMERGENCY_NUMBER");
});

t.test("an unknown emergency trunk is refused", async (t) => {
  const doc = structuredClone(readYamlConfig(EXAMPLE).doc) as unknown as Doc;
  doc.brands["01097"]!.emergencyTrunk = "nope";
  const err = t.throws(() => validateConfig(routingConfigSchema, doc)) as unknown as ConfigFileError;
  t.ok(err instanceof ConfigFileError);
  t.match(err.issues, [{ path: "brands.01097.emergencyTrunk", reason: /unknown trunk nope/ }]);
});
