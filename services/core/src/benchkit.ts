// Shared pieces of the NATS benchmarks: an open-loop sender (latency counted from the scheduled
// send time, so queueing shows) and the CPU-time handshake with a service run in a child process.
import type { ChildProcess } from "node:child_process";

/** Sends `total` requests at `ratePerS`, calling `send(i, scheduledNs)`; returns the achieved rate. */
export async function openLoop(total: number, ratePerS: number, send: (i: number, scheduledNs: bigint) => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  const inflight: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * ratePerS));
    for (; sent < due; sent++) inflight.push(send(sent, start + BigInt(Math.round((sent / ratePerS) * 1e9))));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  return Math.round(total / (Number(process.hrtime.bigint() - start) / 1e9));
}

/** Child side: SIGUSR2 resets the CPU mark, SIGUSR1 prints "cpu <µs since the mark>". */
export function serveCpuReport(): void {
  let base = process.cpuUsage();
  process.on("SIGUSR2", () => {
    base = process.cpuUsage();
  });
  process.on("SIGUSR1", () => {
    const u = process.cpuUsage(base);
    process.stdout.write(`cpu ${u.user + u.system}\n`);
  });
}

/** Parent side: the child's CPU time (µs) since its last mark. */
export function askCpuUs(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve) => {
    child.stdout?.on("data", (d: Buffer) => {
      const m = /cpu (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.kill("SIGUSR1");
  });
}
