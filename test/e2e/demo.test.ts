// The main job end to end: `callctl demo --calls N --json` starts every service as a real process,
// a simulated FreeSWITCH, and callers; every call the agent saw must be in the CDR stream and in
// PostgreSQL exactly once (lost = 0, duplicated = 0).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import t from "tap";

const exec = promisify(execFile);
const bin = join(import.meta.dirname, "../../bin/callctl");
// A guard against a hung stack, not a performance bound: the run itself takes about a minute.
t.setTimeout(600_000);

t.test("bounded demo over ESL: every call billed exactly once", async (t) => {
  const { stdout } = await exec(bin, ["demo", "--calls", "40", "--cps", "10", "--seed", "7", "--json"], { env: { ...process.env, LOG_LEVEL: "warn" }, maxBuffer: 1 << 24 });
  const s = JSON.parse(stdout.trim().split("\n").pop() as string);
  t.equal(s.calls, 40);
  t.equal(s.completed, 40, "every simulated caller finished");
  t.equal(s.calls_started_events, 40, "the agent published STARTED for every call");
  t.equal(s.cdrs_stream, 40, "one CDR per call on the CDR stream");
  t.equal(s.cdrs_postgres, 40, "one row per call in PostgreSQL");
  t.equal(s.lost, 0);
  t.equal(s.duplicated, 0);
  t.ok(s.rejected_before_dial > 0, "the mix contains blocked destinations");
  t.ok(s.answered > 0, "and answered calls");
  t.ok(s.ner >= 0 && s.ner <= 1 && s.asr <= s.ner, "ASR <= NER (DOMAIN.md §5)");
});
