// Public types shared by the ESL and ARI simulators (see index.ts for the API).

export type TrunkBehaviour =
  | { kind: "answer"; afterMs: number; ringMs?: number /* 180 after */; hangupAfterMs?: number /* far end BYE after answer */ }
  | { kind: "busy"; afterMs: number } // 486 / USER_BUSY / cause 17
  | { kind: "noanswer" } // rings until the dial timeout: NO_ANSWER (FS call_timeout) / cause 19
  | { kind: "fail"; sipCode: number; afterMs: number } // 503 → NORMAL_TEMPORARY_FAILURE / CONGESTION 34; 404 → UNALLOCATED_NUMBER
  | { kind: "timeout" } // no response at all (trunk-no-response)
  | { kind: "mix"; choices: Array<{ weight: number; behaviour: TrunkBehaviour }> };

export interface SimCallSpec {
  caller: string;
  callerName?: string;
  dialed: string;
  hangupAfterAnswerMs?: number;
  hangupDuringAnnouncementMs?: number;
  /** Extension: the caller gives up this long after the call starts (CANCEL if unanswered, else BYE). */
  hangupAfterMs?: number;
}

export interface SimAttempt {
  gateway: string;
  number: string;
  sipCode: number;
  cause: string;
  startedAt: number;
  progressAt?: number;
  endedAt: number;
}

export interface SimCallResult {
  uuid: string;
  answered: boolean;
  hangupCause: string;
  q850: number;
  sipCode?: number;
  billsec: number;
  durationMs: number;
  bridgedGateway?: string;
  attempts: SimAttempt[];
  playbacks: string[];
  earlyMedia: boolean;
  pddMs?: number;
  hangupBy: "caller" | "callee" | "agent" | "switch";
}

export interface SimCallHandle {
  uuid: string;
  done: Promise<SimCallResult>;
}

/** A resolved (non-mix) behaviour. */
export type LeafBehaviour = Exclude<TrunkBehaviour, { kind: "mix" }>;

export function resolveBehaviour(b: TrunkBehaviour, rnd: () => number = Math.random): LeafBehaviour {
  let cur = b;
  while (cur.kind === "mix") {
    const total = cur.choices.reduce((s, c) => s + c.weight, 0);
    let r = rnd() * total;
    let pick = cur.choices[cur.choices.length - 1]?.behaviour;
    for (const c of cur.choices) {
      r -= c.weight;
      if (r < 0) {
        pick = c.behaviour;
        break;
      }
    }
    if (!pick) return { kind: "timeout" };
    cur = pick;
  }
  return cur;
}

export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
