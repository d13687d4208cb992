// LoadGenerator: places calls on an EslSimulator or AriSimulator at a target CPS with a
// configurable mix, keeps thousands open at once, and reports outcomes and caller-side PDD.
import type { SimCallHandle, SimCallResult, SimCallSpec, TrunkBehaviour } from "./types.ts";

type Pick<T> = T[] | (() => T);
type Range = number | [min: number, max: number];

export interface LoadMix {
  /** Destinations: a list (uniform) or a generator (any distribution). */
  destinations: Pick<string>;
  callers?: Pick<string>;
  /** Caller BYE this long after answer (ms). Omit to let the agent end calls. */
  holdMs?: Range;
  /** Share (0..1) of callers who hang up during the announcement, and when. */
  announcementHangupShare?: number;
  announcementHangupMs?: Range;
  /** Trunk behaviours to install before the run (gateway / endpoint name → behaviour). */
  trunks?: Record<string, TrunkBehaviour>;
}

export interface LoadTarget {
  placeCall(spec: SimCallSpec): SimCallHandle;
  setTrunk(name: string, b: TrunkBehaviour): void;
}

export interface LoadOptions {
  target: LoadTarget;
  cps: number;
  /** Stop starting calls after this many calls or this long, whichever comes first. */
  calls?: number;
  durationMs?: number;
  mix: LoadMix;
  /** Never keep more than this many calls open (back-pressure); default unlimited. */
  maxOpen?: number;
  rnd?: () => number;
  /** Stop waiting for open calls this long after the last start (they are reported as `open`). */
  drainTimeoutMs?: number;
  onResult?: (r: SimCallResult) => void;
}

export interface LoadReport {
  started: number;
  completed: number;
  open: number;
  maxOpen: number;
  byOutcome: Record<string, number>;
  pdd: { n: number; p50: number; p99: number };
  elapsedMs: number;
  /** Call setups per second actually achieved while starting calls. */
  achievedCps: number;
  /** How far the start schedule fell behind at worst (ms). */
  maxLagMs: number;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class LoadGenerator {
  private stopped = false;
  private started = 0;
  private completed = 0;
  private open = 0;
  private maxOpen = 0;
  private maxLag = 0;
  private readonly outcomes: Record<string, number> = {};
  private readonly pdds: number[] = [];
  private readonly rnd: () => number;
  /** Resolves the drain wait once the last open call has finished after the starts stopped. */
  private drained?: () => void;
  private readonly onDone = (r: SimCallResult): void => {
    this.record(r);
    if (this.open === 0) this.drained?.();
  };

  constructor(private readonly o: LoadOptions) {
    this.rnd = o.rnd ?? Math.random;
  }

  private pick<T>(p: Pick<T>): T {
    return typeof p === "function" ? p() : p[Math.floor(this.rnd() * p.length)]!;
  }

  private range(r: Range): number {
    return typeof r === "number" ? r : r[0] + this.rnd() * (r[1] - r[0]);
  }

  private spec(i: number): SimCallSpec {
    const m = this.o.mix;
    const spec: SimCallSpec = {
      caller: m.callers ? this.pick(m.callers) : String(4930000000 + (i % 1000000)),
      dialed: this.pick(m.destinations),
      // Declared up front (one shape for every spec, nothing added later).
      hangupAfterAnswerMs: undefined,
      hangupDuringAnnouncementMs: undefined,
    };
    // Whole milliseconds: Node keeps one timer list per distinct duration, and a random fraction
    // made one list (and a priority-queue entry) per call.
    if (m.holdMs !== undefined) spec.hangupAfterAnswerMs = Math.round(this.range(m.holdMs));
    if (m.announcementHangupShare && this.rnd() < m.announcementHangupShare) {
      spec.hangupDuringAnnouncementMs = Math.round(this.range(m.announcementHangupMs ?? [200, 2000]));
    }
    return spec;
  }

  private record(r: SimCallResult): void {
    this.completed++;
    this.open--;
    const key = r.answered ? "answered" : r.hangupCause;
    this.outcomes[key] = (this.outcomes[key] ?? 0) + 1;
    if (r.pddMs !== undefined) this.pdds.push(r.pddMs);
    this.o.onResult?.(r);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Start calls on schedule, then wait for every started call to finish. */
  async run(): Promise<LoadReport> {
    for (const [name, b] of Object.entries(this.o.mix.trunks ?? {})) this.o.target.setTrunk(name, b);
    const t0 = performance.now();
    const limit = this.o.calls ?? Number.POSITIVE_INFINITY;
    const until = this.o.durationMs ?? Number.POSITIVE_INFINITY;
    let lastStart = t0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const elapsed = now - t0;
        if (this.stopped || this.started >= limit || elapsed >= until) return resolve();
        const due = Math.min(limit, Math.floor((elapsed * this.o.cps) / 1000) + 1);
        const behind = due - this.started;
        if (behind > 1) this.maxLag = Math.max(this.maxLag, ((behind - 1) * 1000) / this.o.cps);
        while (this.started < due && (this.o.maxOpen === undefined || this.open < this.o.maxOpen)) {
          const h = this.o.target.placeCall(this.spec(this.started));
          this.started++;
          this.open++;
          this.maxOpen = Math.max(this.maxOpen, this.open);
          h.done.then(this.onDone);
          lastStart = performance.now();
        }
        setTimeout(tick, 1);
      };
      tick();
    });
    const startSpan = Math.max(1, lastStart - t0);
    // One callback per call (no promise per call kept for a Promise.all over the whole run).
    const drain = new Promise<void>((r) => {
      this.drained = r;
      if (this.open === 0) r();
    });
    if (this.o.drainTimeoutMs === undefined) await drain;
    else {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drain, new Promise<void>((r) => (timer = setTimeout(r, this.o.drainTimeoutMs)))]);
      clearTimeout(timer);
    }
    const sorted = this.pdds.sort((a, b) => a - b);
    return {
      started: this.started,
      completed: this.completed,
      open: this.open,
      maxOpen: this.maxOpen,
      byOutcome: { ...this.outcomes },
      pdd: { n: sorted.length, p50: pct(sorted, 50), p99: pct(sorted, 99) },
      elapsedMs: Math.round(performance.now() - t0),
      achievedCps: Math.round((this.started * 1000) / startSpan),
      maxLagMs: Math.round(this.maxLag),
    };
  }
}
