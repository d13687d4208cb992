// An optional CPU profile of one phase of a benchmark (node:inspector, this process only):
// `CDR_BENCH_PROFILE=/tmp/sink.cpuprofile npm run bench:cdr` writes the sink phase's profile,
// to open in Chrome DevTools or read with any .cpuprofile tool.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

/** Starts profiling if `path` is set; the returned function stops and writes the profile. */
export async function profilePhase(path: string | undefined): Promise<() => Promise<void>> {
  if (!path) return async () => {};
  const s = new Session();
  s.connect();
  await s.post("Profiler.enable");
  await s.post("Profiler.setSamplingInterval", { interval: 200 });
  await s.post("Profiler.start");
  return async () => {
    const { profile } = await s.post("Profiler.stop");
    writeFileSync(path, JSON.stringify(profile));
    s.disconnect();
  };
}
