// The German catalogue's area codes (DOMAIN.md §1.2: about 5,200 Ortsnetzkennzahlen, 2-5 digits):
// the example lists all of them, each inside a FIXED range of the catalogue; the longest code
// wins; a code missing from a list falls back to libphonenumber's German formatting.
import { join } from "node:path";
import t from "tap";
import { loadRoutingTables, NumberPlan } from "../src/index.ts";

const tables = loadRoutingTables(join(import.meta.dirname, "../../../infra/config/example"));
const plan = tables.plan;
const codes = tables.config.numberPlan.areaCodes;

t.test("the example lists every area code once, each geographic", async (t) => {
  t.equal(codes.length, 5202);
  t.equal(new Set(codes).size, codes.length, "no duplicates");
  const notFixed = codes.filter((a) => {
    const r = plan.classify(`${a}1234`); // area code + a short subscriber number
    return !r.ok || r.type !== "FIXED";
  });
  t.same(notFixed, [], "every code lies in a FIXED range");
  for (const a of ["30", "40", "69", "89", "221", "711", "2151", "33631", "39999"]) t.ok(codes.includes(a), a);
});

t.test("area code of a caller: longest code, then the fallback", async (t) => {
  t.equal(plan.areaCode("2129123456"), "2129", "Haan, not Solingen");
  t.equal(plan.areaCode("212123456"), "212");
  t.equal(plan.areaCode("15112345678"), "", "mobile has none");
  const small = new NumberPlan({ ...tables.config.numberPlan, areaCodes: ["30"] });
  t.equal(small.areaCode("301234567"), "30");
  t.equal(small.areaCode("33933123"), "33933", "outside the list: libphonenumber's national format");
});
