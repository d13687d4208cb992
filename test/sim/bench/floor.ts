// bench:sim floor — what bare Node TCP costs per call on this box, client side only (the simulator
// is the client of the agent's ESL outbound listener). A server in a child process (its own core)
// accepts; this process opens connections at a fixed concurrency and reports pairs per second of
// its own CPU time for two shapes:
//   bare: connect, read the server's greeting, write one small request, close (end + wait close)
//   esl:  the shape of one simulated call: connect, greeting, ~2 KB connect reply, read commands,
//         then 4 writes of ~1.6 KB events in separate ticks, goodbye, end, wait close
// Usage: tsx test/sim/bench/floor.ts [bare|esl|both] [seconds=5] [concurrency=64]
import { fork } from "node:child_process";
import net from "node:net";
import { loadavg } from "node:os";

if (process.argv[2] === "--server") {
  const server = net.createServer({ noDelay: true }, (sock) => {
    let replied = false;
    sock.on("data", () => {
      // One reply to the first request (the agent's commands); later data is read and dropped.
      if (replied) return;
      replied = true;
      sock.write("sendmsg\ncall-command: execute\n\n");
    });
    sock.on("end", () => sock.end());
    sock.on("error", () => undefined);
    sock.write("connect\n\n");
  });
  server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () =>
    process.send?.((server.address() as net.AddressInfo).port),
  );
  process.on("message", (m) => {
    if (m === "cpu") process.send?.({ cpu: process.cpuUsage() });
  });
} else {
  const modes = process.argv[2] === "both" || !process.argv[2] ? ["bare", "esl"] : [process.argv[2]];
  const seconds = Number(process.argv[3] ?? 5);
  const conc = Number(process.argv[4] ?? 64);
  const child = fork(new URL(import.meta.url), ["--server"], { execArgv: ["--import", "tsx"] });
  const port = await new Promise<number>((r) => child.once("message", (m) => r(Number(m))));
  const childCpu = () =>
    new Promise<number>((r) => {
      child.once("message", (m) => {
        const c = (m as { cpu: { user: number; system: number } }).cpu;
        r(c.user + c.system);
      });
      child.send("cpu");
    });
  const connectReply = "x".repeat(2048);
  const event = "y".repeat(1600);

  const one = (mode: string): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect({ port, host: "127.0.0.1", noDelay: true });
      let step = 0;
      s.on("data", () => {
        step++;
        if (mode === "bare") {
          if (step === 1) s.write("request\n\n");
          else s.end();
          return;
        }
        if (step === 1) s.write(connectReply);
        else if (step === 2) {
          let n = 0;
          const next = () => {
            if (s.destroyed) return;
            if (n++ < 4) {
              s.write(event);
              setImmediate(next);
            } else s.end("Content-Type: text/disconnect-notice\n\n");
          };
          next();
        }
      });
      s.on("error", () => undefined);
      s.on("close", () => resolve());
    });

  const results: Record<string, unknown> = {};
  for (const mode of modes) {
    // Warm up, then measure.
    for (let i = 0; i < 200; i++) await one(mode);
    const c0 = process.cpuUsage();
    const s0 = await childCpu();
    const t0 = performance.now();
    let done = 0;
    const until = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: conc }, async () => {
        while (performance.now() < until) {
          await one(mode);
          done++;
        }
      }),
    );
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpuUs = c.user + c.system;
    const serverUs = (await childCpu()) - s0;
    results[mode] = {
      pairs: done,
      pairsPerSecond: Math.round((done * 1000) / wall),
      clientCpuCorePct: Math.round((cpuUs / 1000 / wall) * 100),
      /** The floor: connections per second of the client process's own CPU time. */
      pairsPerCpuSecond: Math.round(done / (cpuUs / 1e6)),
      clientCpuUsPerPair: Math.round(cpuUs / done),
      clientSysShare: Math.round((c.system / cpuUs) * 100) / 100,
      serverCpuUsPerPair: Math.round(serverUs / done),
    };
  }
  child.kill();
  console.log(
    JSON.stringify({
      bench: "switch-sim-tcp-floor",
      seconds,
      concurrency: conc,
      ...results,
      node: process.version,
      loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
    }),
  );
}
