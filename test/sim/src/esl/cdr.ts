// CDR variables FreeSWITCH sets at hangup (only then: `uuid_getvar answersec` is _undef_ while up)
// and the SimCallResult summarising a call.
import type { SimCallResult } from "../types.ts";
import type { EslCall } from "./call.ts";
import { q850Of } from "./causes.ts";

export function setCdrVars(call: EslCall, disposition: string | undefined, cause: string, now: number): void {
  // Straight calls, no helper closures: this runs once per call on the simulator's hot path.
  const ch = call.ch;
  const start = call.startedAt;
  const p = ch.profile;
  const ans = call.answeredAt;
  const pm = p.progressMediaUs / 1000;
  const pr = p.progressUs / 1000;
  const d = now - start;
  const bill = ans ? now - ans : 0;
  const relPr = pr ? pr - start : 0;
  const relPm = pm ? pm - start : 0;
  ch.setVar("hangup_cause", cause);
  ch.setVar("hangup_cause_q850", String(q850Of(cause)));
  ch.setVar("start_epoch", String(Math.floor(start / 1000)));
  ch.setVar("start_uepoch", String(start * 1000));
  ch.setVar("answer_epoch", String(ans ? Math.floor(ans / 1000) : 0));
  ch.setVar("answer_uepoch", String(ans ? ans * 1000 : 0));
  ch.setVar("progress_uepoch", String(p.progressUs));
  ch.setVar("progress_media_uepoch", String(p.progressMediaUs));
  ch.setVar("end_epoch", String(Math.floor(now / 1000)));
  ch.setVar("end_uepoch", String(now * 1000));
  // switch_channel_set_timestamps: the last application started, from the app log (also one the
  // hangup cut short); never set before (the recordings have neither until CHANNEL_HANGUP_COMPLETE).
  const last = call.lastRun;
  if (last) {
    ch.setVar("last_app", last.name);
    if (last.data) ch.setVar("last_arg", last.data);
  }
  ch.setVar("caller_id", `"${p.callerName}" <${p.callerNumber}>`);
  ch.setVar("duration", String(Math.floor(d / 1000)));
  ch.setVar("billsec", String(Math.floor(bill / 1000)));
  ch.setVar("progresssec", String(Math.floor(relPr / 1000)));
  ch.setVar("answersec", String(Math.floor((ans ? ans - start : 0) / 1000)));
  ch.setVar("progress_mediasec", String(Math.floor(relPm / 1000)));
  ch.setVar("mduration", String(d));
  ch.setVar("billmsec", String(bill));
  ch.setVar("progressmsec", String(Math.round(relPr)));
  ch.setVar("answermsec", String(ans ? ans - start : 0));
  ch.setVar("progress_mediamsec", String(Math.round(relPm)));
  ch.setVar("uduration", String(d * 1000));
  ch.setVar("billusec", String(bill * 1000));
  // A received BYE or CANCEL was noted when it came; a hangup of our own is noted by sofia's hangup
  // handler, which runs after the timestamps (recorded: last, after billusec).
  if (!disposition?.startsWith("recv_")) ch.setVar("sip_hangup_disposition", disposition ?? "send_bye");
}

export function callResult(call: EslCall, cause: string, now: number): SimCallResult {
  return {
    uuid: call.uuid,
    answered: call.answeredAt !== undefined,
    hangupCause: cause,
    q850: q850Of(cause),
    sipCode: call.answeredAt !== undefined ? 200 : call.sipCode,
    billsec: call.answeredAt !== undefined ? Math.floor((now - call.answeredAt) / 1000) : 0,
    durationMs: now - call.startedAt,
    bridgedGateway: call.bridgedGateway,
    attempts: call.attempts,
    playbacks: call.playbacks,
    earlyMedia: call.earlyMedia,
    pddMs: call.firstProvisionalAt !== undefined ? call.firstProvisionalAt - call.startedAt : undefined,
    hangupBy: call.hangupBy,
  };
}
