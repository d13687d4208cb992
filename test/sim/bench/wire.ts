// bench:sim wire — the wire floor: the simulator's own traffic with none of its logic. The same
// trivial agent as bench:sim (agent.ts, a child process on its own core) gets, at the same CPS and
// mix, exactly the bytes the EslSimulator writes per call, in the same number of writes at the
// same moments (strace of bench:sim runs, 2026-12-03): a fresh TCP connection per call, the connect
// reply, the command replies, the events, the close. No rendering, no state machine: one shared
// handler set, three timers per call. What this costs per call is what any Node simulator of these
// calls pays on this machine before it renders a single header.
// Usage: tsx test/sim/bench/wire.ts [cps=3000] [seconds=10] [plain3|json7] [uv|net]; prints one JSON line.
// The calls run on the simulator's own outbound transports (src/esl/transport.ts): `uv`, Node's libuv
// TCP handle (what the simulator uses), or `net`, net.Socket (its fallback); the difference is what
// Node's stream layer costs per call on top of the syscalls.
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { type Conn, type ConnOwner, connectOutbound, type Transport, uvAvailable } from "../src/esl/transport.ts";
import { timeWait } from "./common.ts";

/** [ms after the agent's commands, bytes] of each write after the command replies, per outcome. */
type Shape = { weight: number; writes: [number, number][]; holdAfter?: number };
const SHAPES: Record<"json7" | "plain3", Shape[]> = {
  // answered: CHANNEL_PROGRESS at +70, ANSWER+BRIDGE at +320, the hangup set 0.5-1.5 s later
  json7: [
    { weight: 80, writes: [[70, 3437], [320, 8493], [320, 21687]], holdAfter: 2 },
    { weight: 10, writes: [[120, 16137]] }, // 486 after 100 ms
    { weight: 10, writes: [[70, 16137]] }, // 503 after 50 ms
  ],
  plain3: [
    { weight: 80, writes: [[320, 3244], [320, 15700]], holdAfter: 1 },
    { weight: 10, writes: [[120, 11765]] },
    { weight: 10, writes: [[70, 12108]] },
  ],
};
const CONNECT_REPLY = 4100;
const COMMAND_REPLIES = 228;

const cps = Number(process.argv[2] ?? 3000);
const seconds = Number(process.argv[3] ?? 10);
const events = process.argv[4] === "plain3" ? "plain3" : "json7";
const transport: Transport = process.argv[5] === "net" ? "net" : "uv";
if (!(cps > 0 && seconds > 0)) throw new Error("usage: wire.ts [cps>0] [seconds>0] [plain3|json7]");

const agent = fork(new URL("./agent.ts", import.meta.url), [events], { execArgv: ["--import", "tsx"] });
const port = await new Promise<number>((r) => agent.once("message", (m) => r(Number(m))));
const payload = "x".repeat(32768);
const connectReply = `Event-Name: CHANNEL_DATA\nUnique-ID: 00000000-0000-4000-8000-000000000000\n`.padEnd(CONNECT_REPLY - 2, "x") + "\n\n";
const bytes = (n: number) => payload.slice(0, n);

/** One call: the connect reply on the agent's first read, the rest of its writes after its second. */
class Call implements ConnOwner {
  private step = 0;
  constructor(
    private readonly c: Conn,
    private readonly shape: Shape,
    private readonly done: () => void,
  ) {
    c.owner = this;
  }
  received(): void {
    if (++this.step === 1) this.c.write(connectReply);
    else if (this.step === 2) {
      this.c.write(bytes(COMMAND_REPLIES));
      schedule(this.shape, (n, last) => {
        this.c.write(bytes(n));
        if (last) this.c.end();
      });
    }
  }
  drained(): void {}
  socketClosed(): void {
    this.done();
  }
}
/** The shape's writes at their moments (the one after `holdAfter` waits for the caller's 0.5-1.5 s hold). */
function schedule({ writes, holdAfter }: Shape, write: (n: number, last: boolean) => void): void {
  writes.forEach(([at, n], i) => {
    const t = at + (holdAfter !== undefined && i === holdAfter ? 500 + Math.random() * 1000 : 0);
    setTimeout(write, t, n, i === writes.length - 1);
  });
}
function pick(): Shape {
  let r = Math.random() * 100;
  for (const s of SHAPES[events]) if ((r -= s.weight) < 0) return s;
  return SHAPES[events][0]!;
}
const call = () =>
  new Promise<void>((done) => {
    const shape = pick();
    connectOutbound("127.0.0.1", port, (c, e) => (e ? done() : new Call(c, shape, done)), transport);
  });

const faults0 = process.resourceUsage().minorPageFault;
const timeWait0 = timeWait();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const open: Promise<void>[] = [];
let started = 0;
while (performance.now() - t0 < seconds * 1000) {
  const due = Math.floor(((performance.now() - t0) / 1000) * cps) - started;
  for (let i = 0; i < due; i++, started++) open.push(call());
  await new Promise((r) => setTimeout(r, 5));
}
await Promise.all(open);
const cpu = process.cpuUsage(cpu0);
const us = cpu.user + cpu.system;
agent.kill();
console.log(
  JSON.stringify({
    bench: "switch-sim-wire-floor",
    targetCps: cps,
    seconds,
    events,
    transport: uvAvailable ? transport : "net",
    calls: started,
    achievedCps: Math.round(started / seconds),
    /** Calls per second of this process's own CPU time: the most a Node simulator could reach. */
    callsPerCpuSecond: Math.round(started / (us / 1e6)),
    cpuUsPerCall: Math.round(us / started),
    cpuUserUsPerCall: Math.round(cpu.user / started),
    cpuSystemUsPerCall: Math.round(cpu.system / started),
    pageFaultsPerCall: Math.round(((process.resourceUsage().minorPageFault - faults0) / started) * 10) / 10,
    timeWait: { atStart: timeWait0, atEnd: timeWait() },
    node: process.version,
    loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
  }),
);
