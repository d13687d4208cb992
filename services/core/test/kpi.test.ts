import t from "tap";
import { asr, countOutcome, emptyKpi, ner, classifyCause } from "../src/kpi.ts";

t.test("DOMAIN.md §5 test vector: ASR 55 %, NER 85 %", async (t) => {
  const k = emptyKpi();
  for (let i = 0; i < 55; i++) countOutcome(k, 16, true);
  for (let i = 0; i < 15; i++) countOutcome(k, 17, false);
  for (let i = 0; i < 10; i++) countOutcome(k, i % 2 ? 18 : 19, false);
  for (let i = 0; i < 5; i++) countOutcome(k, 21, false);
  for (let i = 0; i < 15; i++) countOutcome(k, [34, 38, 41, 27, 102][i % 5]!, false);
  t.equal(k.seizures, 100);
  t.equal(Math.round(asr(k) * 100), 55);
  t.equal(Math.round(ner(k) * 100), 85);
});

t.test("cause classes (DOMAIN.md §5 table)", async (t) => {
  t.equal(classifyCause(17), "user_busy");
  t.equal(classifyCause(19), "user_no_answer");
  t.equal(classifyCause(21), "user_rejected");
  t.equal(classifyCause(1), "dialling_error");
  for (const c of [2, 3, 25, 27, 34, 38, 41, 42, 44, 47, 79, 102, 111, 127]) t.equal(classifyCause(c), "network", `cause ${c}`);
  t.equal(classifyCause(16, true), "answered");
  t.equal(ner(emptyKpi()), 0);
});
