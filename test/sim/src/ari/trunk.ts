// Outbound legs towards simulated trunks: originate (Dial events) and create + dial.
import { resolveBehaviour, type TrunkBehaviour } from "../types.ts";
import type { Channels, SimChan } from "./channels.ts";
import { causeFromSipAri, dialstatusFor, FS_CAUSE } from "./model.ts";

export interface LegParams {
  endpoint: string;
  app: string;
  appArgs?: string;
  callerId?: string;
  channelId?: string;
  originator?: string;
}

export class AriError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`ARI ${status}`);
  }
}

/** `PJSIP/<number>@<trunk>` → number and trunk; anything else is refused like Asterisk does. */
export function parseEndpoint(endpoint: string, trunks: Record<string, TrunkBehaviour>): { number: string; trunk: string } {
  const slash = endpoint.indexOf("/");
  const tech = endpoint.slice(0, slash);
  const rest = endpoint.slice(slash + 1);
  if (slash < 0 || tech !== "PJSIP") throw new AriError(500, { error: "Allocation failed" });
  const at = rest.indexOf("@");
  const number = at < 0 ? rest : rest.slice(0, at);
  const trunk = at < 0 ? rest : rest.slice(at + 1);
  if (!trunks[trunk]) throw new AriError(500, { error: "Allocation failed" });
  return { number, trunk };
}

export function newLeg(ch: Channels, p: LegParams, trunks: Record<string, TrunkBehaviour>, viaDial: boolean): SimChan {
  const { number, trunk } = parseEndpoint(p.endpoint, trunks);
  if (p.channelId && ch.chans.has(p.channelId)) throw new AriError(409, { message: "Channel with given unique ID already exists" });
  const callerNum = p.callerId?.replace(/^.*<(.*)>$/, "$1") ?? "";
  const c = ch.newChannel("out", {
    id: p.channelId,
    tech: trunk,
    caller: { name: "", number: callerNum },
    app: p.app,
    exten: "s",
    context: "from-trunk",
    // Recorded: a created channel has no application until it enters Stasis (ChannelDialplan); an
    // originated one dials out from AppDial2.
    appName: viaDial ? "" : "AppDial2",
    appData: viaDial ? "" : "(Outgoing Line)",
  });
  c.trunk = trunk;
  c.dialstring = `${number}@${trunk}`;
  c.viaDial = viaDial;
  // Attach the attempt to the inbound call it serves: originator, an appArgs id, or the only live caller.
  const ids = [p.originator, ...(p.appArgs?.split(",") ?? [])].filter((x): x is string => !!x);
  let owner = ids.map((id) => ch.chans.get(id)).find((x) => x?.call);
  if (!owner) {
    const live = [...ch.chans.values()].filter((x) => x.call);
    if (live.length === 1) owner = live[0];
  }
  if (owner?.call) {
    c.attempt = { gateway: trunk, number, sipCode: 0, cause: "", startedAt: Date.now(), endedAt: 0 };
    owner.call.attempts.push(c.attempt);
  }
  return c;
}

/** Run the trunk's behaviour on an outbound leg; `timeoutS` is originate/dial's timeout. */
export function runLeg(ch: Channels, c: SimChan, b0: TrunkBehaviour, timeoutS: number, appArgs: string[]): void {
  const b = resolveBehaviour(b0);
  const dial = (status: string) => ch.w.emit(c.app, "Dial", ch.dialFields(c, status));
  const att = c.attempt;
  const ringing = () => {
    if (att) att.progressAt = Date.now();
    ch.setState(c, "Ringing");
    dial("RINGING");
  };
  const fail = (sip: number) => {
    const cause = causeFromSipAri(sip);
    if (att) Object.assign(att, { sipCode: sip, cause: FS_CAUSE[cause] ?? String(cause), endedAt: Date.now() });
    ch.destroy(c, {
      request: { cause, tech_cause: sip },
      cause,
      techCause: sip,
      dialstatus: c.viaDial ? undefined : dialstatusFor(cause),
    });
  };
  const timedOut = () => {
    if (att) Object.assign(att, { sipCode: 487, cause: "NO_ANSWER", endedAt: Date.now() });
    // Asterisk CANCELs and synthesises 19/480; no final Dial. Originate: no ChannelHangupRequest;
    // create + dial: a soft one (cause 32).
    ch.destroy(c, { request: c.viaDial ? { cause: 32, soft: true } : undefined, cause: 19, techCause: 480 });
  };
  dial("");
  const timeoutTimer = ch.after(c, timeoutS * 1000, timedOut);
  switch (b.kind) {
    case "answer":
      ch.after(c, b.ringMs ?? 10, ringing);
      ch.after(c, b.afterMs, () => {
        clearTimeout(timeoutTimer);
        if (att) Object.assign(att, { sipCode: 200, cause: "NORMAL_CLEARING" });
        ch.setState(c, "Up");
        dial("ANSWER");
        if (!c.inStasis) ch.stasisStart(c, appArgs);
        if (b.hangupAfterMs !== undefined) {
          ch.after(c, b.hangupAfterMs, () => ch.destroy(c, { request: {}, cause: 16 }));
        }
      });
      break;
    case "noanswer":
      ch.after(c, 10, ringing);
      break;
    case "busy":
      ch.after(c, b.afterMs, () => fail(486));
      break;
    case "fail":
      ch.after(c, b.afterMs, () => fail(b.sipCode));
      break;
    case "timeout":
      break;
  }
}
