// The child side of the bench's "ready / go / end" protocol (bench/worker.ts, bench/sinks.ts): prints
// "ready", calls `start` on the first data on stdin ("go", sent to all children at once once each has
// loaded), and when stdin ends calls `stop` with the CPU time since "go" and prints what it returns
// as one JSON line before exiting.
export function serveBenchChild(start: () => void, stop: (cpuUs: number) => Promise<Record<string, unknown>>): void {
  process.stdout.write("ready\n");
  let cpu0 = process.cpuUsage();
  process.stdin.once("data", () => {
    cpu0 = process.cpuUsage();
    start();
  });
  process.stdin.on("end", async () => {
    const u = process.cpuUsage(cpu0);
    const report = await stop(u.user + u.system);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  });
}
