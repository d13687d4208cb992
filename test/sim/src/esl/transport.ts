// The byte stream under an ESL session. Inbound sessions (the :8021 listener) run on net.Socket.
// Outbound calls (one TCP connection per call, as `socket host:port async full` makes) run on
// Node's libuv TCP handle directly when the agent's host is an IP address: the same syscalls, none
// of net.Socket's stream machinery (its objects per call, a Writable's bookkeeping per write), which
// is what a benchmark's simulator can least afford (BENCHMARKS.md, "Switch simulators", round 9).
// The handle is Node's internal binding; where it is missing (another runtime, a Node that no longer
// exposes it) or the host is a name, outbound calls fall back to net.Socket. Both behave the same to
// the session: reads into one shared buffer, writes of whole strings as UTF-8, back-pressure at
// 16 KB queued, and end() closes once the queued writes are out, without waiting for the peer's FIN,
// as FreeSWITCH's close_socket (shutdown, then close) does; the peer's FIN ends ours too.
import net from "node:net";
import { getSystemErrorName } from "node:util";

/** What a connection reports to its session. */
export interface ConnOwner {
  /** `n` bytes read into `d` (valid only during this call). */
  received(d: Buffer, n: number): void;
  /** The queued writes went out after `needDrain` was seen. */
  drained(): void;
  /** The connection is closed (either side, or an error). */
  socketClosed(): void;
}

export interface Conn {
  owner: ConnOwner | undefined;
  /** Writes are queued past the high-water mark (Node's `writableNeedDrain`). */
  readonly needDrain: boolean;
  /** Not ended, not destroyed. */
  readonly writable: boolean;
  /** Ignored once ended or destroyed. */
  write(s: string): void;
  /** Close after the queued writes (FIN, then the socket closed: the peer's later writes are refused). */
  end(): void;
  /** Close now; queued writes are dropped. Before the connect completed: it fails with `e`. */
  destroy(e?: Error): void;
}

/** Reads of every outbound connection land here, decoded before the next read. */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
const HIGH_WATER_MARK = 16 * 1024;
const UV_EOF = -4095;

function ignore(): void {}

const kConn = Symbol("conn");
type TaggedSocket = net.Socket & { [kConn]: NetConn };

function onData(this: TaggedSocket, d: Buffer): void {
  this[kConn].owner?.received(d, d.length);
}
function onUserRead(this: net.Socket, n: number): boolean {
  (this as TaggedSocket)[kConn].owner?.received(READ_BUFFER, n);
  return true;
}
function onDrain(this: TaggedSocket): void {
  this[kConn].owner?.drained();
}
function onClose(this: TaggedSocket): void {
  this[kConn].owner?.socketClosed();
}

/** A session on a net.Socket (shared listeners: the socket points to its Conn). */
export class NetConn implements Conn {
  owner: ConnOwner | undefined;
  /** Outbound, until the connect completed or failed. */
  connecting = false;
  constructor(readonly socket: net.Socket) {
    (socket as TaggedSocket)[kConn] = this;
    socket.setNoDelay(true);
    socket.on("drain", onDrain);
    socket.on("error", ignore);
    socket.on("close", onClose);
  }
  get needDrain(): boolean {
    return this.socket.writableNeedDrain;
  }
  get writable(): boolean {
    return this.socket.writable && !this.socket.destroyed;
  }
  write(s: string): void {
    if (this.writable) this.socket.write(s);
  }
  end(): void {
    if (this.connecting) this.destroy(new Error("ended before connected"));
    // Once the FIN is out ('finish'), close without waiting for the peer's.
    else this.socket.end(() => this.socket.destroy());
  }
  destroy(e?: Error): void {
    // Before the connect completed, net.Socket reports nothing without an error: give it one.
    this.socket.destroy(this.connecting ? (e ?? new Error("destroyed before connected")) : e);
  }
}

/** A connection accepted by a net.Server. */
export function acceptedConn(socket: net.Socket): Conn {
  const c = new NetConn(socket);
  socket.on("data", onData);
  return c;
}

/** How an outbound connect ended: a Conn to hand to a session, or the error. */
export type OnConnect = (c: Conn, e?: Error) => void;

export type Transport = "uv" | "net";

/**
 * An outbound connection; `connected` runs once (never synchronously), with the error if it failed.
 * `uv` is used where it can be (an IPv4 address, the binding present), else net.Socket.
 */
export function connectOutbound(host: string, port: number, connected: OnConnect, transport: Transport = "uv"): Conn {
  // The handle's connect takes only a whole port number (anything else aborts the process): other
  // ports go to net.connect, which converts a numeric string or throws ERR_SOCKET_BAD_PORT.
  if (transport === "uv" && raw && net.isIPv4(host) && Number.isInteger(port) && port > 0 && port < 65536) {
    return new RawConn(host, port, connected);
  }
  const socket = net.connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: onUserRead } });
  const c = new NetConn(socket);
  c.connecting = true;
  socket.once("connect", () => {
    c.connecting = false;
    connected(c);
  });
  socket.on("error", (e) => {
    if (!c.connecting) return;
    c.connecting = false;
    connected(c, e);
  });
  return c;
}

// ---- Node's libuv TCP handle (internal binding; see the header) ----

// biome-ignore lint/suspicious/noExplicitAny: Node's internal bindings are untyped
type Binding = Record<string, any>;
function bindings(): { tcp: Binding; stream: Binding } | undefined {
  try {
    const b = (process as unknown as { binding?(m: string): Binding }).binding;
    // SIM_NET_ONLY=1: outbound calls on net.Socket everywhere (e.g. to run the test suite on it).
    if (process.env.SIM_NET_ONLY === "1" || typeof b !== "function") return undefined;
    const tcp = b("tcp_wrap");
    const stream = b("stream_wrap");
    const ok =
      typeof tcp.TCP === "function" &&
      typeof tcp.TCPConnectWrap === "function" &&
      typeof stream.WriteWrap === "function" &&
      typeof stream.ShutdownWrap === "function" &&
      stream.streamBaseState instanceof Int32Array &&
      typeof stream.kReadBytesOrError === "number" &&
      typeof stream.kLastWriteWasAsync === "number";
    return ok ? { tcp, stream } : undefined;
  } catch {
    return undefined;
  }
}
const raw = bindings();
const S = raw?.stream as Binding;
const kOwner = Symbol("conn");
type Handle = Binding & { [kOwner]: RawConn };
type Req = Binding & { [kOwner]: RawConn };

/** Whether the libuv handle can be used here (else `uv` falls back to net.Socket). */
export const uvAvailable = raw !== undefined;

function onRawConnect(this: Req, status: number): void {
  this[kOwner].connectDone(status);
}
function onRawRead(this: Handle): void {
  this[kOwner].read(S.streamBaseState[S.kReadBytesOrError] as number);
}
function onRawWritten(this: Req, status: number): void {
  // A failed write (reset, or cancelled by close) ends the connection, as net.Socket's destroy does.
  if (status < 0) this[kOwner].destroy();
  else this[kOwner].written();
}
function onRawShutdown(this: Req): void {
  this[kOwner].shutdownDone();
}
function onRawClosed(this: Handle): void {
  this[kOwner].owner?.socketClosed();
}

class RawConn implements Conn {
  owner: ConnOwner | undefined;
  private readonly h: Handle;
  private connected: OnConnect | undefined;
  private asyncWrites = 0;
  private wantDrain = false;
  private ended = false; // we shut down (or are about to)
  private closing = false;

  constructor(host: string, port: number, connected: OnConnect) {
    this.connected = connected;
    const h = new raw!.tcp.TCP(raw!.tcp.constants.SOCKET) as Handle;
    h[kOwner] = this;
    h.onread = onRawRead;
    h.useUserBuffer(READ_BUFFER);
    h.setNoDelay(true);
    this.h = h;
    const req = new raw!.tcp.TCPConnectWrap() as Req;
    req[kOwner] = this;
    req.oncomplete = onRawConnect;
    const err = h.connect(req, host, port) as number;
    if (err) process.nextTick(onRawConnect.bind(req), err);
  }

  get needDrain(): boolean {
    if (this.wantDrain) return true;
    return (this.wantDrain = this.asyncWrites > 0 && (this.h.writeQueueSize as number) >= HIGH_WATER_MARK);
  }

  get writable(): boolean {
    return !this.ended && !this.closing;
  }

  connectDone(status: number): void {
    const cb = this.connected;
    this.connected = undefined;
    if (!cb || this.closing) return;
    if (status < 0) {
      this.close();
      cb(this, uvError("connect", status));
      return;
    }
    this.h.readStart();
    cb(this);
  }

  read(n: number): void {
    if (n > 0) this.owner?.received(READ_BUFFER, n);
    else if (n === UV_EOF) {
      this.h.readStop();
      // Node's default (allowHalfOpen false): the peer's FIN ends our side too, after our queued writes.
      this.end();
    } else if (n < 0) this.close();
  }

  write(s: string): void {
    if (!this.writable) return;
    const req = new S.WriteWrap() as Req;
    req.handle = this.h;
    req.oncomplete = onRawWritten;
    req.async = false;
    const err = this.h.writeUtf8String(req, s) as number;
    if (err) this.close();
    else if (S.streamBaseState[S.kLastWriteWasAsync]) {
      req[kOwner] = this;
      this.asyncWrites++;
    }
  }

  written(): void {
    if (--this.asyncWrites > 0) return;
    if (this.wantDrain) {
      this.wantDrain = false;
      this.owner?.drained();
    }
  }

  end(): void {
    if (this.ended || this.closing) return;
    this.ended = true;
    if (this.connected) {
      // Not connected yet: nothing was written, nothing to flush; the connect fails.
      this.destroy(new Error("ended before connected"));
      return;
    }
    const req = new S.ShutdownWrap() as Req;
    req.handle = this.h;
    req[kOwner] = this;
    req.oncomplete = onRawShutdown;
    if (this.h.shutdown(req)) this.close();
  }

  /** The queued writes and the FIN are out: close (FreeSWITCH does not wait for the peer's FIN either). */
  shutdownDone(): void {
    this.close();
  }

  destroy(e?: Error): void {
    const cb = this.connected;
    this.connected = undefined;
    this.close();
    if (cb) process.nextTick(cb, this, e ?? new Error("destroyed before connected"));
  }

  private close(): void {
    if (this.closing) return;
    this.closing = true;
    this.ended = true;
    this.h.readStop();
    this.h.close(onRawClosed);
  }
}

function uvError(syscall: string, status: number): Error {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: status, syscall });
}
