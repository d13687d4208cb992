// The failover classifier against DOMAIN.md §5's cause table.
import t from "tap";
import { isNetworkFailure, sipForQ850 } from "../src/flow/causes.ts";

t.test("DOMAIN.md §5: network causes fail over, user causes do not", async (t) => {
  for (const q of [2, 3, 25, 27, 34, 38, 41, 42, 44, 47, 79, 102, 111, 127]) t.ok(isNetworkFailure(q), `q850 ${q} is a network failure`);
  for (const q of [1, 16, 17, 18, 19, 20, 21, 22, 28, 31]) t.notOk(isNetworkFailure(q), `q850 ${q} is the user's or a dialling error`);
});

t.test("a SIP code decides first (RFC 3398 column)", async (t) => {
  for (const s of [500, 502, 503, 504, 408, 481]) t.ok(isNetworkFailure(0, s), `sip ${s}`);
  for (const s of [486, 600, 480, 404, 403, 603, 484, 487]) t.notOk(isNetworkFailure(0, s), `sip ${s}`);
  t.notOk(isNetworkFailure(41, 486), "486 wins over a mapped cause");
  t.ok(isNetworkFailure(34, 503));
  t.notOk(isNetworkFailure(19, 480), "ARI originate timeout: 19/480 is no answer");
});

t.test("Q.850 to SIP toward the caller", async (t) => {
  t.same([17, 19, 34, 41, 1, 21, 28].map(sipForQ850), [486, 480, 503, 503, 404, 403, 484]);
});

t.test("test vector: 100 seizures → NER 85 % counts only network failures as ineffective", async (t) => {
  const seizures = [...Array(55).fill(16), ...Array(15).fill(17), ...Array(5).fill(18), ...Array(5).fill(19), ...Array(5).fill(21), ...Array(15).fill(34)];
  const network = seizures.filter((q) => q !== 16 && isNetworkFailure(q)).length;
  t.equal((seizures.length - network) / seizures.length, 0.85);
});
