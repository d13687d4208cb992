// An originated channel (inbound `originate {…}sofia/gateway/<gw>/<number> &park()`, the callback
// flow): its life from creation to park, every event as recorded with `event plain ALL`
// (inbound-events-plain-all.txt), and its call-state changes. The channel itself is outleg.ts.
import type { EslCall } from "./call.ts";
import { newUuid } from "./uuid.ts";

/** Call-state numbers (switch_channel_callstate_t). */
const CCS_NUM: Record<string, string> = { DOWN: "0", DIALING: "1", RINGING: "2", EARLY: "3", ACTIVE: "4", HANGUP: "7" };

/** An originated leg's CHANNEL_CALLSTATE: its call state changes to `to`. */
export function callState(call: EslCall, to: string): void {
  const from = call.ch.callState;
  call.ch.callState = to;
  call.emit("CHANNEL_CALLSTATE", { noVars: true, before: [["Original-Channel-Call-State", from], ["Channel-Call-State-Number", CCS_NUM[to] ?? "0"]] });
}

/** An originated leg's end, as recorded with `event plain ALL` (a socket call's session is gone by then). */
export function originatedEnd(call: EslCall): void {
  const ch = call.ch;
  ch.stateNum = "12";
  call.emit("CHANNEL_DESTROY");
  ch.state = "CS_DESTROY";
  ch.stateNum = undefined;
  call.emit("CHANNEL_STATE", { noVars: true });
}

/**
 * An originated channel's life, every event as recorded with `event plain ALL`
 * (inbound-events-plain-all.txt): OUTGOING, STATE, CREATE and ORIGINATE now; STATE, PROGRESS and
 * CALLSTATE when it rings; two CODEC, ANSWER, CALLSTATE and CALL_UPDATE (ids flipped) when it
 * answers; then STATE, EXECUTE and PARK after the originate's reply.
 */
export function originatedLeg(call: EslCall): { ring(): void; answerAndPark(): void } {
  const ch = call.ch;
  const noVars = { noVars: true };
  ch.callState = "DOWN";
  ch.state = "CS_NONE";
  ch.stateNum = "1";
  call.emit("CHANNEL_OUTGOING", noVars);
  ch.state = "CS_INIT";
  call.emit("CHANNEL_STATE", noVars);
  ch.stateNum = undefined;
  call.emit("CHANNEL_CREATE");
  call.emit("CHANNEL_ORIGINATE");
  ch.state = "CS_ROUTING";
  ch.stateNum = "2";
  call.emit("CHANNEL_STATE", noVars);
  ch.stateNum = undefined;
  return {
    ring: () => {
      if (call.hungUp) return;
      ch.state = "CS_CONSUME_MEDIA";
      call.emit("CHANNEL_STATE", noVars);
      ch.out?.reply();
      // Recorded: an outbound leg's progress time is its creation time.
      call.ringReady(ch.profile.createdUs);
      callState(call, "RINGING");
    },
    answerAndPark: () => {
      if (call.hungUp) return;
      if (ch.state !== "CS_CONSUME_MEDIA") {
        ch.state = "CS_CONSUME_MEDIA";
        call.emit("CHANNEL_STATE", noVars);
      }
      ch.out?.reply();
      ch.out?.mediaUp();
      call.emit("CODEC", { noVars: true, after: [["channel-read-codec-name", "PCMU"], ["channel-read-codec-rate", "8000"], ["channel-read-codec-bit-rate", "64000"]] });
      // The write codec's event repeats two of its headers and spells the third its own way (recorded).
      call.emit("CODEC", { noVars: true, after: [["Channel-Write-Codec-Name", "PCMU"], ["Channel-Write-Codec-Rate", "8000"], ["Channel-Write-codec-bit-rate", "64000"]] });
      const ringing = ch.callState;
      call.markAnswered();
      ch.callState = ringing;
      callState(call, "ACTIVE");
      ch.out?.flip();
      call.emit("CALL_UPDATE", { before: [["Direction", "RECV"]] });
      // park starts after the originate reply (BACKGROUND_JOB comes first in the recording).
      setImmediate(() => {
        if (call.hungUp) return;
        ch.state = "CS_EXECUTE";
        call.emit("CHANNEL_STATE", noVars);
        ch.out?.park();
        call.runApp({ app: "park", arg: "", uuid: newUuid(), lock: false });
      });
    },
  };
}
