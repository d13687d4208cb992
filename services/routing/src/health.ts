// Failover causes (DOMAIN.md §5) and trunk health: a sliding-window NER per trunk fed by the
// CALLS stream's attempt events, and a circuit breaker with half-open probing, so that one failing
// carrier does not pull the network below the 97 % completion of seed 004 §5.1.

// DOMAIN.md §5, "network" rows: 2, 3 no route; 25 routing error; 27 destination out of order;
// 34-47 resource unavailable (34, 38, 41, 42, 44, 47); 79 not implemented; 102 timer expiry;
// 96-111 protocol errors; 127 interworking.
const NETWORK_Q850 = new Set([2, 3, 25, 27, 34, 38, 41, 42, 44, 47, 79, 102, 111, 127]);
// RFC 3398 SIP -> ISUP rows of DOMAIN.md §5 that map to a network cause (408/504 -> 102,
// 400/481/500/503 -> 41, 502 -> 38, 482/483 -> 25, 406/415/501 -> 79, the rest -> 127).
const NETWORK_SIP = new Set([400, 406, 408, 413, 414, 415, 416, 420, 421, 423, 481, 482, 483, 500, 501, 502, 503, 504, 505, 513]);

/**
 * True when an attempt failed in the network, so the switch may try the next candidate. Never
 * true for user causes (busy 17, no answer 18/19/20, rejected 21, normal 16/31) or dialling
 * errors (1, 22, 28). A Q.850 cause, when present, wins over the SIP code.
 */
export function isNetworkFailure(q850: number, sipCode: number): boolean {
  if (q850 > 0) return NETWORK_Q850.has(q850) || (q850 >= 34 && q850 <= 47) || (q850 >= 96 && q850 <= 111);
  if (sipCode > 0) return NETWORK_SIP.has(sipCode);
  return false;
}

export type BreakerState = "CLOSED" | "HALF_OPEN" | "OPEN";

export interface HealthOptions {
  window: number;
  minSamples: number;
  nerThreshold: number;
  openMs: number;
  probeIntervalMs: number;
  probeSuccesses: number;
}

export interface TrunkStatus {
  trunkId: string;
  state: BreakerState;
  ner: number;
  samples: number;
  failures: number;
}

class Breaker {
  ring: Uint8Array; // 1 = network failure
  pos = 0;
  samples = 0;
  failures = 0;
  state: BreakerState = "CLOSED";
  openedAt = 0;
  lastProbeAt = -Infinity;
  probeOk = 0;
  constructor(window: number) {
    this.ring = new Uint8Array(window);
  }
  push(failed: boolean): void {
    const w = this.ring.length;
    if (this.samples === w) this.failures -= this.ring[this.pos]!;
    else this.samples++;
    this.ring[this.pos] = failed ? 1 : 0;
    this.failures += failed ? 1 : 0;
    this.pos = (this.pos + 1) % w;
  }
  reset(): void {
    this.ring.fill(0);
    this.pos = this.samples = this.failures = this.probeOk = 0;
  }
  get ner(): number {
    return this.samples === 0 ? 1 : 1 - this.failures / this.samples;
  }
}

/** How a trunk may be offered now: in its cost position, demoted to the end, or not at all. */
export type Admission = "NORMAL" | "PROBE" | "DEMOTED" | "EXCLUDED";

export class TrunkHealth {
  #opts: HealthOptions;
  #now: () => number;
  #b = new Map<string, Breaker>();

  constructor(opts: HealthOptions, now: () => number = Date.now) {
    this.#opts = opts;
    this.#now = now;
  }

  /** New thresholds from a configuration swap; state is kept unless the window size changed. */
  configure(opts: HealthOptions): void {
    if (opts.window !== this.#opts.window) this.#b.clear();
    this.#opts = opts;
  }

  #get(id: string): Breaker {
    let b = this.#b.get(id);
    if (!b) this.#b.set(id, (b = new Breaker(this.#opts.window)));
    return b;
  }

  #tick(b: Breaker, now: number): void {
    if (b.state === "OPEN" && now - b.openedAt >= this.#opts.openMs) {
      b.state = "HALF_OPEN";
      b.probeOk = 0;
      b.lastProbeAt = -Infinity;
    }
  }

  /** One attempt outcome on a trunk (from a CALLS ATTEMPT event). */
  record(trunkId: string, q850: number, sipCode: number, at = this.#now()): void {
    this.recordOutcome(trunkId, isNetworkFailure(q850, sipCode), at);
  }

  recordOutcome(trunkId: string, networkFailure: boolean, at = this.#now()): void {
    const b = this.#get(trunkId);
    this.#tick(b, at);
    if (b.state === "OPEN") return; // late results of calls set up before the trip
    if (b.state === "HALF_OPEN") {
      if (networkFailure) {
        b.state = "OPEN";
        b.openedAt = at;
      } else if (++b.probeOk >= this.#opts.probeSuccesses) {
        b.state = "CLOSED";
        b.reset();
      }
      return;
    }
    b.push(networkFailure);
    if (b.samples >= this.#opts.minSamples && b.ner < this.#opts.nerThreshold) {
      b.state = "OPEN";
      b.openedAt = at;
    }
  }

  /** Called once per candidate per decision: a half-open trunk gets one probe per interval. */
  admit(trunkId: string, now = this.#now()): Admission {
    return this.admitWithNer(trunkId, now);
  }

  /** The NER that the last admitWithNer() saw (1 for a trunk without samples). */
  lastNer = 1;

  /** admit() and nerOf() with one lookup (the router asks both for every priced trunk); the NER is left in `lastNer`. */
  admitWithNer(trunkId: string, now: number): Admission {
    const b = this.#b.get(trunkId);
    if (!b) {
      this.lastNer = 1;
      return "NORMAL";
    }
    this.#tick(b, now);
    this.lastNer = b.ner;
    if (b.state === "CLOSED") return "NORMAL";
    if (b.state === "OPEN") return "EXCLUDED";
    if (now - b.lastProbeAt >= this.#opts.probeIntervalMs) {
      b.lastProbeAt = now;
      return "PROBE";
    }
    return "DEMOTED";
  }

  /** Current NER of a trunk's window (1 with no samples). */
  nerOf(trunkId: string): number {
    return this.#b.get(trunkId)?.ner ?? 1;
  }

  status(trunkId: string, now = this.#now()): TrunkStatus {
    const b = this.#b.get(trunkId);
    if (!b) return { trunkId, state: "CLOSED", ner: 1, samples: 0, failures: 0 };
    this.#tick(b, now);
    return { trunkId, state: b.state, ner: b.ner, samples: b.samples, failures: b.failures };
  }
}
