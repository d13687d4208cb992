// A channel's variables behave as FreeSWITCH's: they are unique headers of the channel's variable
// event (EF_UNIQ_HEADERS), so setting one deletes it and appends it again, and unsetting deletes it.
// The recordings show it: in bridged-call.txt, `current_application` moves behind `socket_host` and
// `total_loops` at every CHANNEL_EXECUTE, and `endpoint_disposition`, `originate_disposition` and
// `DIALSTATUS` move to the end at CHANNEL_BRIDGE (their values change there).
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import t from "tap";
import { fsUrlEncode } from "../src/esl/frames.ts";
import { VarStore } from "../src/esl/vars.ts";

const name = fc.constantFrom("current_application", "current_application_data", "endpoint_disposition", "DIALSTATUS", "hangup_cause", "x", "y", "z");
const value = fc.option(fc.oneof(fc.constantFrom("ANSWER", "EARLY MEDIA", "bridge", ""), fc.string({ maxLength: 6 })), { nil: undefined, freq: 4 });

t.test("recorded: current_application moves behind the variables set since, on every execute", async (t) => {
  const s = new VarStore(8);
  s.set("call_uuid", "u");
  s.set("current_application_data", "127.0.0.1:8084 async full");
  s.set("current_application", "socket");
  s.set("socket_host", "127.0.0.1");
  // pre_answer: no data (deleted), the application moves to the end.
  s.set("current_application_data", undefined);
  s.set("current_application", "pre_answer");
  t.same(
    s.pairs().map(([k]) => k),
    ["variable_call_uuid", "variable_socket_host", "variable_current_application"],
  );
  // The same value again still moves it (a unique header is deleted and appended).
  s.set("x", "1");
  s.set("current_application", "pre_answer");
  t.same(s.pairs().at(-1), ["variable_current_application", "pre_answer"]);
});

/**
 * FreeSWITCH's model: an ordered list of unique names; a push onto a stacked variable keeps its
 * place and grows FreeSWITCH's `ARRAY::a|:b` text.
 */
function reference(ops: Array<[string, string | undefined, boolean]>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v, push] of ops) {
    const i = out.findIndex(([n]) => n === k);
    if (push && v !== undefined && i >= 0) {
      const old = out[i]![1];
      out[i] = [k, `${old.startsWith("ARRAY::") ? old : `ARRAY::${old}`}|:${v}`];
      continue;
    }
    if (i >= 0) out.splice(i, 1);
    if (v !== undefined) out.push([k, v]);
  }
  return out.map(([k, v]) => [`variable_${k}`, v]);
}

t.test("set appends or moves to the end, unset deletes, push keeps the place: FreeSWITCH's order through any sequence", async (t) => {
  const op = fc.tuple(name, value, fc.boolean());
  const holds = fc.property(fc.array(op, { maxLength: 120 }), fc.constantFrom(0, 4, 64), (ops, capacity) => {
    const store = new VarStore(capacity);
    // The store treats "" as a value; FreeSWITCH deletes a variable set to empty, as Channel does.
    const norm = ops.map(([k, v, p]) => [k, v === "" ? undefined : v, p] as [string, string | undefined, boolean]);
    for (const [k, v, p] of norm) {
      if (p && v !== undefined) store.push(k, v);
      else store.set(k, v);
      // Rendered between operations too: a kept rendering must not outlive a change.
      store.render(false);
    }
    const want = reference(norm);
    const plain = want.map(([k, v]) => `${k}: ${fsUrlEncode(v)}\n`).join("");
    return (
      isDeepStrictEqual(store.pairs(), want) &&
      store.size === want.length &&
      want.every(([k, v]) => store.get(k.slice(9)) === v) &&
      store.render(false) === plain
    );
  });
  t.doesNotThrow(() => fc.assert(holds, { numRuns: 300 }));
});

t.test("recorded (failover-503.txt): the second bridge's answer pushes onto originate_causes in place", async (t) => {
  const s = new VarStore(8);
  s.push("originate_causes", "fcaa567a-f2af-4c58-911c-dcaa0e7ef9ef;NORMAL_TEMPORARY_FAILURE");
  s.set("originate_failed_cause", "NORMAL_TEMPORARY_FAILURE");
  s.set("originate_disposition", "failure");
  s.set("DIALSTATUS", "INVALIDARGS");
  s.push("originate_causes", "66cdbed0-e908-48a6-80c9-0e4777dc8c03;NONE");
  t.same(s.pairs(), [
    ["variable_originate_causes", "ARRAY::fcaa567a-f2af-4c58-911c-dcaa0e7ef9ef;NORMAL_TEMPORARY_FAILURE|:66cdbed0-e908-48a6-80c9-0e4777dc8c03;NONE"],
    ["variable_originate_failed_cause", "NORMAL_TEMPORARY_FAILURE"],
    ["variable_originate_disposition", "failure"],
    ["variable_DIALSTATUS", "INVALIDARGS"],
  ]);
});
