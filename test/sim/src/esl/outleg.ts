// An originated (outbound) leg: inbound `originate {…}sofia/gateway/<gw>/<number> &park()`, the
// callback flow. What its headers and variables show that an inbound call's do not, as recorded in
// inbound-call-control-json.txt. Rendered from its pairs (Channel#render): rare, never on the
// benchmarks' path.
import { identPairs, type Profile } from "./profile.ts";
import { newUuid } from "./uuid.ts";
import type { VarStore } from "./vars.ts";

type Pairs = Array<[string, string]>;

/** The simulated far end of every gateway (a documentation address). */
export const GATEWAY_HOST = "192.0.2.20";

export class OutLeg {
  /** The far end's address, from its first reply to the INVITE (Caller-Network-Addr). */
  networkAddr: string | undefined;
  /** Media negotiated (the codec headers): from the answer. */
  media = false;
  /** Answered: its caller and callee ids flipped and it hit the dialplan (Channel-HIT-Dialplan). */
  flipped = false;

  /** `origNumber`: the caller id number it was originated with, ANI and Orig-Caller-ID-Number for good. */
  constructor(
    readonly gateway: string,
    readonly origNumber: string,
    private readonly vars: VarStore,
    private readonly p: Profile,
  ) {}

  /** Its variables at CHANNEL_CREATE, in the recorded order (the dial string's among them). */
  created(sessionId: string, dial: Record<string, string>): void {
    const v = this.vars;
    const number = this.p.destination;
    v.set("direction", "outbound");
    v.set("is_outbound", "true");
    v.set("uuid", this.p.uuid);
    v.set("call_uuid", this.p.uuid);
    v.set("session_id", sessionId);
    v.set("sip_gateway_name", this.gateway);
    v.set("sip_profile_name", "gateway");
    v.set("channel_name", this.p.channelName);
    v.set("sip_destination_url", `sip:${number}@${GATEWAY_HOST}:5060`);
    // FreeSWITCH sets no empty variable (`{foo=}` sets nothing).
    for (const k in dial) if (dial[k]) v.set(k, dial[k]);
    v.set("originate_endpoint", "sofia");
    v.set("sip_req_uri", `${number}@${GATEWAY_HOST}:5060`);
    v.set("sofia_profile_name", "external");
  }

  /** The far end's first reply (180/183/200): the SIP dialog's variables. */
  reply(): void {
    if (this.networkAddr) return;
    this.networkAddr = GATEWAY_HOST;
    const v = this.vars;
    const number = this.p.destination;
    v.set("sip_network_ip", GATEWAY_HOST);
    v.set("sip_network_port", "5060");
    v.set("sip_from_user", this.origNumber);
    v.set("sip_from_uri", this.origNumber + "@192.0.2.2");
    v.set("sip_to_user", number);
    v.set("sip_to_uri", `${number}@${GATEWAY_HOST}:5060`);
    v.set("sip_call_id", newUuid());
  }

  /** Media is up (before CHANNEL_ANSWER, as recorded). */
  mediaUp(): void {
    if (this.media) return;
    this.media = true;
    this.vars.set("read_codec", "PCMU");
    this.vars.set("write_codec", "PCMU");
  }

  /**
   * Answered: FreeSWITCH flips its caller and callee ids (switch_channel_flip_cid: the caller id
   * becomes the far end, the callee the number it was originated with; CALL_UPDATE follows).
   */
  flip(): void {
    if (this.flipped) return;
    this.flipped = true;
    const p = this.p;
    p.callerName = "Outbound Call";
    p.callerNumber = p.destination;
    p.callee = { name: "", number: this.origNumber };
    this.vars.set("pre_transfer_caller_id_number", this.origNumber);
    this.vars.set("channel_cid_flipped", "yes");
  }

  /** It parks (CS_EXECUTE): call_uuid is set again (recorded: it moves behind channel_cid_flipped). */
  park(): void {
    this.vars.set("call_uuid", this.p.uuid);
  }

  /** Its profile up to the channel name (recorded: no Username, Dialplan or Orig-Caller-ID-Name). */
  profilePairs(prefix: string): Pairs {
    const p = this.p;
    const out: Pairs = [
      [prefix + "Direction", "outbound"],
      [prefix + "Logical-Direction", "outbound"],
    ];
    if (p.callerName) out.push([prefix + "Caller-ID-Name", p.callerName]);
    out.push([prefix + "Caller-ID-Number", p.callerNumber], [prefix + "Orig-Caller-ID-Number", this.origNumber]);
    if (p.callee?.name) out.push([prefix + "Callee-ID-Name", p.callee.name]);
    if (p.callee) out.push([prefix + "Callee-ID-Number", p.callee.number]);
    if (this.networkAddr) out.push([prefix + "Network-Addr", this.networkAddr]);
    out.push(...identPairs(prefix, p, this.origNumber, "src/switch_ivr_originate.c"));
    return out;
  }
}
