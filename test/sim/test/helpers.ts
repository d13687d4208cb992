// Test helpers: a modesl outbound server whose sockets are tapped, so the bytes on the wire can be
// compared with the recordings.
import net from "node:net";
import { fileURLToPath } from "node:url";
import esl from "modesl";
import { type EslFrame, parseEslFrames } from "../src/index.ts";

export const FIX = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface Tapped {
  port: number;
  server: net.Server;
  conns: Array<{ conn: EslConn; fromSwitch: Buffer[]; fromClient: Buffer[] }>;
  onReady(fn: (conn: EslConn) => void): void;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: modesl is untyped
export type EslConn = any;

/** A modesl esl.Server on a no-delay net.Server (see ESL.md), recording every byte. */
export async function modeslServer(opts: { myevents?: boolean } = {}): Promise<Tapped> {
  const server = net.createServer({ noDelay: true });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  let ready: (conn: EslConn) => void = () => undefined;
  const t: Tapped = {
    port,
    server,
    conns: [],
    onReady: (fn) => {
      ready = fn;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const taps = new Map<net.Socket, { fromSwitch: Buffer[]; fromClient: Buffer[] }>();
  // Registered before modesl's own listener, so the tap sees the socket first.
  server.on("connection", (sock: net.Socket) => {
    const tap = { fromSwitch: [] as Buffer[], fromClient: [] as Buffer[] };
    taps.set(sock, tap);
    sock.on("data", (d: Buffer | string) => tap.fromSwitch.push(Buffer.from(d)));
    sock.on("error", () => undefined);
    const w = sock.write.bind(sock) as (...a: unknown[]) => boolean;
    sock.write = ((...a: unknown[]) => {
      tap.fromClient.push(Buffer.from(a[0] as string));
      return w(...a);
    }) as typeof sock.write;
  });
  const s = new esl.Server({ server, myevents: opts.myevents ?? false });
  s.on("connection::open", (conn: EslConn) => conn.on("error", () => undefined));
  s.on("connection::ready", (conn: EslConn) => {
    const tap = taps.get(conn.socket) ?? { fromSwitch: [], fromClient: [] };
    t.conns.push({ conn, ...tap });
    ready(conn);
  });
  return t;
}

export function frames(chunks: Buffer[]): EslFrame[] {
  return parseEslFrames(Buffer.concat(chunks)).frames;
}

/** One token per frame: content type, event name and application, as the comparisons need. */
export function token(f: EslFrame): string {
  const ct = f.headers["Content-Type"] ?? "";
  if (f.event) {
    const app = f.event.Application ? `(${f.event.Application})` : "";
    return `${f.event["Event-Name"]}${app}`;
  }
  if (ct === "text/disconnect-notice") return `notice:${f.headers["Content-Disposition"] ?? "kill"}`;
  if (ct === "command/reply") return "reply";
  return ct;
}

export function exec(conn: EslConn, app: string, arg = ""): Promise<EslConn> {
  return new Promise((resolve) => conn.execute(app, arg, resolve));
}

export function send(conn: EslConn, cmd: string, args?: Record<string, string>): Promise<EslConn> {
  return new Promise((resolve) => conn.sendRecv(cmd, args ?? {}, resolve));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Everything thrown or rejected unhandled while test `t` runs (the fuzz tests' "nothing thrown"). */
export function captureThrown(t: { teardown(fn: () => void): void }): unknown[] {
  const thrown: unknown[] = [];
  const onError = (e: unknown) => thrown.push(e);
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  t.teardown(() => {
    process.off("uncaughtException", onError);
    process.off("unhandledRejection", onError);
  });
  return thrown;
}

/** The fuzz tests' fast-check settings: FUZZ_RUNS runs (default 60), FUZZ_SEED replays a failure. */
export function fuzzOptions(): { numRuns: number; timeout: number; seed: number | undefined } {
  return { numRuns: Number(process.env.FUZZ_RUNS ?? 60), timeout: 15000, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined };
}

/** With FUZZ_HIST=1, counts what the fuzz runs reached and prints it at exit (most first); else a no-op. */
export function reachedCounter(): (what: string) => void {
  if (!process.env.FUZZ_HIST) return () => undefined;
  const hist = new Map<string, number>();
  process.on("exit", () => console.error([...hist].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} ${k}`).join("\n")));
  return (what) => hist.set(what, (hist.get(what) ?? 0) + 1);
}
