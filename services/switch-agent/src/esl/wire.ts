// modesl 1.2.1 fixes (ESL.md pitfall 14, "Measured costs"): it writes every command line with its
// own socket.write() and leaves Nagle on, so each command waits ~42 ms for the peer's delayed ACK.
// patchConnection() turns no-delay on and replaces `send` with one write per command, after
// checking every header value for CR/LF (pitfall 9: a newline in a value is a command injection).
import type { Socket } from "node:net";
import { eslHeaderValue } from "../validate.ts";

export interface EslConnection {
  socket: Socket | null;
  send(command: string, args?: Record<string, string | number | boolean>): void;
  sendRecv(command: string, args?: Record<string, unknown> | ((ev: EslEvent) => void), cb?: (ev: EslEvent) => void): void;
  api(command: string, args: string, cb?: (ev: EslEvent) => void): void;
  on(event: string, fn: (...a: never[]) => void): unknown;
  once(event: string, fn: (...a: never[]) => void): unknown;
  emit(event: string, ...a: unknown[]): boolean;
  removeAllListeners(event?: string): unknown;
  getInfo(): EslEvent | null;
}

export interface EslEvent {
  getHeader(name: string): string | null;
  getBody(): string;
  headers: Array<{ name: string; value: string }>;
  type?: string;
}

/** Serialises one command: the command line, its headers, a blank line, and the body if any. */
export function frameCommand(command: string, args?: Record<string, string | number | boolean>, body?: string): string {
  if (/[\r\n]/.test(command)) throw new Error("ESL command line contains a line break");
  let s = command + "\n";
  if (args) for (const [k, v] of Object.entries(args)) s += `${eslHeaderValue("name", k)}: ${eslHeaderValue(k, String(v))}\n`;
  if (body !== undefined) s += `content-type: text/plain\ncontent-length: ${Buffer.byteLength(body)}\n`;
  return s + "\n" + (body ?? "");
}

function uncork(s: Socket): void {
  s.uncork();
}

/** One write; the writes of one tick leave in one segment (the socket is corked until the end of the tick). */
export function writeCorked(s: Socket, data: string): void {
  if (!s.writableCorked && typeof s.cork === "function") {
    s.cork();
    process.nextTick(uncork, s);
  }
  s.write(data);
}

/**
 * modesl's Parser._parseHeaderText, without its cost and its crash: modesl splits every line twice,
 * re-joins it and URL-decodes every value (the outbound `connect` reply is ~200 lines: ~6 % of the
 * agent's busy samples at 400 CPS), and a malformed `%` escape throws out of the socket's data
 * handler. Same result: first `: ` splits name and value, values URL-decoded (kept raw if not
 * decodable), Content-Length as a number.
 */
export function parseHeaderText(txt: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (let i = 0; i <= txt.length; ) {
    let eol = txt.indexOf("\n", i);
    if (eol < 0) eol = txt.length;
    const sep = txt.indexOf(": ", i);
    const hasSep = sep >= 0 && sep < eol;
    const key = txt.slice(i, hasSep ? sep : eol);
    let value = hasSep ? txt.slice(sep + 2, eol) : "";
    if (value.includes("%")) {
      try {
        value = decodeURIComponent(value);
      } catch {
        /* not URL-encoded after all: keep it as sent */
      }
    }
    out[key] = key === "Content-Length" ? Number.parseInt(value, 10) : value;
    i = eol + 1;
  }
  return out;
}

type ModeslParser = { buffer: Buffer; _parseHeaderText(txt: string): unknown; _indexOfHeaderEnd(): number };

/** Makes a modesl connection write each command once, without Nagle. Returns the same connection. */
export function patchConnection<C extends EslConnection>(conn: C): C {
  conn.socket?.setNoDelay(true);
  // The parser exists once the socket does (outbound: from the constructor; inbound: on connect).
  const fixParser = () => {
    const p = (conn as unknown as { parser?: ModeslParser }).parser;
    if (!p) return;
    p._parseHeaderText = parseHeaderText;
    p._indexOfHeaderEnd = function indexOfHeaderEnd(this: ModeslParser) {
      return this.buffer.indexOf("\n\n");
    };
  };
  fixParser();
  if (typeof (conn as { on?: unknown }).on === "function") conn.on("esl::connect", fixParser);
  const write = (c: C, data: string) => {
    const s = c.socket;
    if (!s || s.destroyed) return;
    writeCorked(s, data);
  };
  const q = conn as unknown as { cmdCallbackQueue: unknown[]; apiCallbackQueue: unknown[] };
  conn.send = function send(this: C, command: string, args?: Record<string, string | number | boolean>) {
    write(this, frameCommand(command, args));
  };
  // Frame (and refuse) before a reply callback is queued, so a refused value cannot shift the queue.
  conn.sendRecv = function sendRecv(this: C, command: string, args?: unknown, cb?: unknown) {
    if (typeof args === "function") [cb, args] = [args, undefined];
    const data = frameCommand(command, args as Record<string, string> | undefined);
    q.cmdCallbackQueue.push(cb);
    write(this, data);
  };
  conn.api = function api(this: C, command: string, args: string, cb?: unknown) {
    const data = frameCommand(`api ${command}${args ? ` ${args}` : ""}`);
    q.apiCallbackQueue.push(cb);
    write(this, data);
  };
  return conn;
}
