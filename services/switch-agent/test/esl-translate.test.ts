// ESL translation on recorded FreeSWITCH 1.10.12 traffic (ESL.md "How bridge outcomes are reported").
import t from "tap";
import { bridgeOutcome, cdrOf, hangupOf, isOk } from "../src/esl/translate.ts";
import { completions, named, parseFs } from "./esl-fixtures.ts";

const get = (ev: { getHeader(n: string): string | null }) => (k: string) => ev.getHeader(k);

t.test("bridged-call: connect reply decoded, SUCCESS bridge, CDR only at hangup complete", async (t) => {
  const evs = parseFs("bridged-call");
  const data = named(evs, "CHANNEL_DATA")[0]!;
  t.ok(isOk(data.getHeader("Reply-Text")), "the connect reply's URL-encoded +OK is recognised");
  t.match(data.getHeader("Unique-ID"), /^[0-9a-f-]{36}$/);
  t.ok(data.getHeader("Caller-Destination-Number"));
  const b = completions(evs, "bridge");
  t.equal(b.length, 1);
  t.match(bridgeOutcome(get(b[0]!)), { answered: true, sipCode: 200 });
  const hc = named(evs, "CHANNEL_HANGUP_COMPLETE")[0]!;
  const cdr = cdrOf(get(hc));
  t.ok(cdr.billsec >= 2 && cdr.billsec <= 4, `billsec ${cdr.billsec}`);
  t.ok(cdr.answerUs > 0 && cdr.hangupUs > cdr.answerUs);
  t.match(hangupOf(get(hc)), { cause: "NORMAL_CLEARING", q850: 16 });
});

t.test("failover-503: decide on the latest completion; sticky sip status is not reused", async (t) => {
  const b = completions(parseFs("failover-503"), "bridge");
  t.equal(b.length, 2);
  const first = bridgeOutcome(get(b[0]!));
  t.same(first, { answered: false, q850: 41, sipCode: 503, cause: "NORMAL_TEMPORARY_FAILURE" });
  t.match(bridgeOutcome(get(b[1]!), "503"), { answered: true, sipCode: 200 }, "second attempt SUCCESS despite the stale 503 variables");
});

t.test("busy: USER_BUSY → 17 / 486, no failover class", async (t) => {
  const b = completions(parseFs("busy"), "bridge");
  t.same(bridgeOutcome(get(b.at(-1)!)), { answered: false, q850: 17, sipCode: 486, cause: "USER_BUSY" });
});

t.test("leg_timeout ring timeout: ALLOTTED_TIMEOUT means no answer (19)", async (t) => {
  const b = completions(parseFs("no-answer-leg-timeout"), "bridge");
  t.match(bridgeOutcome(get(b.at(-1)!)), { answered: false, q850: 19, cause: "NO_ANSWER" });
});

t.test("caller hangs up during playback: hangup arrives, playback reports PLAYBACK ERROR", async (t) => {
  const evs = parseFs("caller-hangup-during-playback");
  const h = named(evs, "CHANNEL_HANGUP")[0]!;
  t.equal(hangupOf(get(h)).q850, 16);
  const pb = completions(evs, "playback")[0]!;
  t.equal(pb.getHeader("Application-Response"), "PLAYBACK ERROR");
  const iHangup = evs.indexOf(h);
  t.ok(iHangup < evs.indexOf(pb), "CHANNEL_HANGUP comes before the playback completion (pitfall 5)");
});

t.test("far-end BYE: bridge returns SUCCESS and the caller is still up", async (t) => {
  const evs = parseFs("far-end-bye");
  const b = completions(evs, "bridge")[0]!;
  t.match(bridgeOutcome(get(b)), { answered: true });
  t.ok(evs.indexOf(b) < evs.indexOf(named(evs, "CHANNEL_HANGUP")[0]!), "the A leg hangs up only after the bridge returned");
});
