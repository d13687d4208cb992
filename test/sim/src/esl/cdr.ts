// CDR variables FreeSWITCH sets at hangup (only then: `uuid_getvar answersec` is _undef_ while up)
// and the SimCallResult summarising a call.
import type { SimCallResult } from "../types.ts";
import type { EslCall } from "./call.ts";
import { q850Of } from "./causes.ts";

export function setCdrVars(call: EslCall, disposition: string | undefined, cause: string, now: number): void {
  const v = (k: string, x: string | number) => call.ch.setVar(k, String(x));
  const start = call.startedAt;
  const p = call.ch.profile;
  const ans = call.answeredAt;
  const pm = p.progressMediaUs / 1000;
  const pr = p.progressUs / 1000;
  v("sip_hangup_disposition", disposition ?? "send_bye");
  v("hangup_cause", cause);
  v("hangup_cause_q850", q850Of(cause));
  v("start_epoch", Math.floor(start / 1000));
  v("start_uepoch", start * 1000);
  v("answer_epoch", ans ? Math.floor(ans / 1000) : 0);
  v("answer_uepoch", ans ? ans * 1000 : 0);
  v("progress_uepoch", p.progressUs);
  v("progress_media_uepoch", p.progressMediaUs);
  v("end_epoch", Math.floor(now / 1000));
  v("end_uepoch", now * 1000);
  v("caller_id", `"${p.callerName}" <${p.callerNumber}>`);
  const d = now - start;
  const bill = ans ? now - ans : 0;
  const secs = (ms: number) => Math.floor(ms / 1000);
  const rel = (t: number) => (t ? t - start : 0);
  v("duration", secs(d));
  v("billsec", secs(bill));
  v("progresssec", secs(rel(pr)));
  v("answersec", secs(ans ? ans - start : 0));
  v("progress_mediasec", secs(rel(pm)));
  v("mduration", d);
  v("billmsec", bill);
  v("progressmsec", Math.round(rel(pr)));
  v("answermsec", ans ? ans - start : 0);
  v("progress_mediamsec", Math.round(rel(pm)));
  v("uduration", d * 1000);
  v("billusec", bill * 1000);
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
