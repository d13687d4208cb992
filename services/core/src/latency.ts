// Latency recording with HdrHistogram: microsecond resolution, p50/p99 for benchmarks and demos.
import * as hdr from "hdr-histogram-js";

export class Latency {
  #h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  /** Records a duration in microseconds. */
  recordUs(us: number): void {
    this.#h.recordValue(Math.max(1, Math.round(us)));
  }
  /** Records the time since `startNs` (from process.hrtime.bigint()). */
  since(startNs: bigint): void {
    this.recordUs(Number(process.hrtime.bigint() - startNs) / 1000);
  }
  get count(): number {
    return this.#h.totalCount;
  }
  summary(): { count: number; p50_us: number; p90_us: number; p99_us: number; max_us: number; mean_us: number } {
    const h = this.#h;
    return { count: h.totalCount, p50_us: h.getValueAtPercentile(50), p90_us: h.getValueAtPercentile(90), p99_us: h.getValueAtPercentile(99), max_us: h.maxValue, mean_us: Math.round(h.mean) };
  }
  reset(): void {
    this.#h.reset();
  }
}
