// The one interface both switch drivers implement (STYLE.md "one switch-agnostic call flow, two
// thin drivers"). A driver turns switch traffic into FlowEvents and runs switch commands; it never
// decides anything about the call.
import { CallctlError } from "@callctl/core";
import type { Command, FlowEvent } from "./flow/types.ts";

export type SwitchCommand = Extract<Command, { kind: "play" | "dial" | "bridge" | "scheduleHangup" | "hangup" }>;
export type EventSink = (ev: FlowEvent) => void;

/** Delivers a call's events to the flow; events that arrive before `bind` wait in order. */
export class EventPort {
  #sink?: EventSink;
  #queue: FlowEvent[] = [];
  bind(sink: EventSink): void {
    this.#sink = sink;
    for (const ev of this.#queue.splice(0)) sink(ev);
  }
  emit(ev: FlowEvent): void {
    if (this.#sink) this.#sink(ev);
    else this.#queue.push(ev);
  }
}

/** A call the switch handed to the agent. Identity fields are already validated (validate.ts). */
export interface IncomingCall {
  readonly channelId: string;
  readonly caller: string;
  readonly dialed: string;
  /** Set when the switch's identity fields failed validation: the call is refused with this reason. */
  readonly invalid?: string;
  /** Starts delivering events to the flow. Events before bind are queued. */
  bind(sink: EventSink): void;
  run(cmd: SwitchCommand): void;
}

/** One leg the agent originates itself (callback). */
export interface OriginateSpec {
  gateway: string;
  number: string;
  callerId: string;
  timeoutMs: number;
}

/** An originated leg was not answered; `q850` is the switch's cause (busy 17, no answer 19, …). */
export class OriginateFailedError extends CallctlError {
  readonly q850: number;
  constructor(q850: number, detail: string) {
    super("ORIGINATE_FAILED", `originate failed: ${detail}`, { details: { q850: String(q850), detail } });
    this.q850 = q850;
  }
}

export interface Driver {
  readonly name: "esl" | "ari";
  start(onCall: (call: IncomingCall) => void): Promise<void>;
  stop(): Promise<void>;
  healthy(): boolean;
  /** Originates a leg that the agent controls like an incoming call (callback). */
  originate?(spec: OriginateSpec): Promise<IncomingCall>;
  /** Where switches reach the agent (outbound ESL listener), when the driver listens. */
  address?(): { host: string; port: number } | undefined;
}
