// bench:sim wire — the wire floor: the simulator's own traffic with none of its logic. The same
// trivial agent as bench:sim (agent.ts, a child process on its own core) gets, at the same CPS and
// mix, exactly the bytes the EslSimulator writes per call, in the same number of writes at the
// same moments (strace of bench:sim runs, 2026-12-03): a fresh TCP connection per call, the connect
// reply, the command replies, the events, the close. No rendering, no state machine: one shared
// handler set, three timers per call. What this costs per call is what any Node simulator of these
// calls pays on this machine before it renders a single header.
// Usage: tsx test/sim/bench/wire.ts [cps=3000] [seconds=10] [plain3|json7] [net|raw]; prints one JSON line.
// `raw` (a measurement only, nothing in the simulator uses it): the same calls on Node's internal
// libuv TCP handles (process.binding("tcp_wrap")) instead of net.Socket, i.e. what Node's stream
// layer costs per call on top of the syscalls.
import { fork } from "node:child_process";
import net from "node:net";
import { loadavg } from "node:os";

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
const transport = process.argv[5] === "raw" ? "raw" : "net";
if (!(cps > 0 && seconds > 0)) throw new Error("usage: wire.ts [cps>0] [seconds>0] [plain3|json7]");

const agent = fork(new URL("./agent.ts", import.meta.url), [events], { execArgv: ["--import", "tsx"] });
const port = await new Promise<number>((r) => agent.once("message", (m) => r(Number(m))));
const payload = "x".repeat(32768);
const connectReply = `Event-Name: CHANNEL_DATA\nUnique-ID: 00000000-0000-4000-8000-000000000000\n`.padEnd(CONNECT_REPLY - 2, "x") + "\n\n";
const bytes = (n: number) => payload.slice(0, n);

type Call = net.Socket & { step: number; shape: Shape; done: () => void };
function onData(this: Call): void {
  if (++this.step === 1) this.write(connectReply);
  else if (this.step === 2) {
    this.write(bytes(COMMAND_REPLIES));
    schedule(this.shape, (n, last) => (last ? this.end(bytes(n)) : this.write(bytes(n))));
  }
}
/** The shape's writes at their moments (the one after `holdAfter` waits for the caller's 0.5-1.5 s hold). */
function schedule({ writes, holdAfter }: Shape, write: (n: number, last: boolean) => void): void {
  writes.forEach(([at, n], i) => {
    const t = at + (holdAfter !== undefined && i === holdAfter ? 500 + Math.random() * 1000 : 0);
    setTimeout(write, t, n, i === writes.length - 1);
  });
}
function onClose(this: Call): void {
  this.done();
}
function ignore(): void {}
function pick(): Shape {
  let r = Math.random() * 100;
  for (const s of SHAPES[events]) if ((r -= s.weight) < 0) return s;
  return SHAPES[events][0]!;
}
const call = () => (transport === "raw" ? rawCall() : netCall());
const netCall = () =>
  new Promise<void>((done) => {
    const s = new net.Socket() as Call;
    s.step = 0;
    s.shape = pick();
    s.done = done;
    s.on("data", onData).on("close", onClose).on("error", ignore);
    // TCP_NODELAY like the simulator's sockets (on Node 20 `connect({ noDelay })` on a bare Socket
    // does not set it: strace showed no setsockopt, i.e. Nagle on, a cheaper wire than the sim's).
    s.setNoDelay(true);
    s.connect({ port, host: "127.0.0.1" });
  });

// The raw transport: a TCP handle, its connect, write and shutdown requests, as lib/net.js drives them.
// biome-ignore lint/suspicious/noExplicitAny: Node's internal bindings are untyped
type Binding = Record<string, any>;
const tcp = (process as unknown as { binding(m: string): Binding }).binding;
const { TCP, TCPConnectWrap, constants } = transport === "raw" ? tcp("tcp_wrap") : ({} as Binding);
const { WriteWrap, ShutdownWrap, streamBaseState, kReadBytesOrError } = transport === "raw" ? tcp("stream_wrap") : ({} as Binding);
type RawCall = { h: Binding; step: number; shape: Shape; done: () => void; closed: boolean };
function rawWrite(c: RawCall, s: string): void {
  const req = new WriteWrap();
  req.handle = c.h;
  req.oncomplete = ignore;
  req.async = false;
  if (c.h.writeLatin1String(req, s)) rawClose(c);
}
function rawClose(c: RawCall): void {
  if (c.closed) return;
  c.closed = true;
  c.h.close();
  c.done();
}
function rawOnRead(this: Binding): void {
  const c = this.owner as RawCall;
  const n = streamBaseState[kReadBytesOrError];
  if (n < 0) {
    rawClose(c);
    return;
  }
  if (n === 0 || ++c.step > 2) return;
  if (c.step === 1) {
    rawWrite(c, connectReply);
    return;
  }
  rawWrite(c, bytes(COMMAND_REPLIES));
  schedule(c.shape, (n, last) => {
    if (c.closed) return;
    rawWrite(c, bytes(n));
    if (!last) return;
    const req = new ShutdownWrap();
    req.handle = c.h;
    req.oncomplete = ignore;
    c.h.shutdown(req);
  });
}
function rawOnConnect(this: Binding, status: number): void {
  const c = this.owner as RawCall;
  if (status < 0) rawClose(c);
  else c.h.readStart();
}
const rawCall = () =>
  new Promise<void>((done) => {
    const c: RawCall = { h: new TCP(constants.SOCKET), step: 0, shape: pick(), done, closed: false };
    c.h.owner = c;
    c.h.onread = rawOnRead;
    c.h.setNoDelay(true);
    const req = new TCPConnectWrap();
    req.owner = c;
    req.oncomplete = rawOnConnect;
    if (c.h.connect(req, "127.0.0.1", port)) rawClose(c);
  });

const faults0 = process.resourceUsage().minorPageFault;
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
    transport,
    calls: started,
    achievedCps: Math.round(started / seconds),
    /** Calls per second of this process's own CPU time: the most a Node simulator could reach. */
    callsPerCpuSecond: Math.round(started / (us / 1e6)),
    cpuUsPerCall: Math.round(us / started),
    cpuUserUsPerCall: Math.round(cpu.user / started),
    cpuSystemUsPerCall: Math.round(cpu.system / started),
    pageFaultsPerCall: Math.round(((process.resourceUsage().minorPageFault - faults0) / started) * 10) / 10,
    node: process.version,
    loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
  }),
);
