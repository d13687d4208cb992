// A lean ESL frame reader for the per-call outbound socket (the hot path: one socket per call).
//
// Why not modesl's Parser here (BENCHMARKS.md "## Switch agent", agent profiles at 400 CPS): for
// every frame it concatenates the whole receive buffer (Buffer.concat), scans for the header end
// byte by byte in JS, splits/URL-decodes every header line, JSON.parses the ~5 KB event body into an
// object, copies that into an Event (addHeader per field) and dispatches through eventemitter2
// wildcard listener trees — ~14 % of the agent's samples in modesl plus ~3 % in eventemitter2, for
// the 3-6 header values per event the call actually reads.
//
// This reader keeps received chunks as they are and frames by `Content-Length` with native
// Buffer.indexOf; a `text/event-json` body stays one string and a header is extracted from it on
// first `getHeader` (JsonEvent). modesl still does the handshake (`connect`, CHANNEL_DATA) and the
// inbound management connection; driver.ts hands the socket over right after CHANNEL_DATA.
import type { EslEvent } from "./wire.ts";

const LF2 = Buffer.from("\n\n");

/** One frame: its outer headers (only the two a reader needs) and the body, if any. */
export interface Frame {
  contentType: string;
  body: Buffer | undefined;
}

/** Splits an ESL byte stream into frames. Never throws on garbage: it stops at what it cannot frame. */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);
  #need = -1; // body bytes still wanted for the frame in #pending, or -1 when reading headers
  #type = "";
  readonly #onFrame: (f: Frame) => void;

  constructor(onFrame: (f: Frame) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    let off = 0;
    const b = this.#buf;
    for (;;) {
      if (this.#need >= 0) {
        if (b.length - off < this.#need) break;
        const body = b.subarray(off, off + this.#need);
        off += this.#need;
        this.#need = -1;
        this.#onFrame({ contentType: this.#type, body });
        continue;
      }
      // FreeSWITCH ignores leading empty lines in commands; be as lenient when reading.
      while (off < b.length && b[off] === 0x0a) off++;
      const end = b.indexOf(LF2, off);
      if (end < 0) break;
      const head = b.toString("latin1", off, end);
      off = end + 2;
      const len = headerOf(head, "Content-Length");
      this.#type = headerOf(head, "Content-Type") ?? "";
      const n = len === undefined ? 0 : Number.parseInt(len, 10);
      if (n > 0) this.#need = n;
      else this.#onFrame({ contentType: this.#type, body: undefined });
    }
    // Keep only the unread tail (a copy, so the big chunk it came from can be collected).
    this.#buf = off >= b.length ? Buffer.alloc(0) : off > 0 ? Buffer.from(b.subarray(off)) : b;
  }
}

/** A header's value in a `Name: value` block (outer frame headers are never URL-encoded but in `connect`). */
function headerOf(head: string, name: string): string | undefined {
  let i = head.startsWith(`${name}: `) ? 0 : head.indexOf(`\n${name}: `);
  if (i < 0) return undefined;
  if (i > 0) i++;
  const start = i + name.length + 2;
  const eol = head.indexOf("\n", start);
  return head.slice(start, eol < 0 ? head.length : eol);
}

/**
 * A `text/event-json` event read lazily: FreeSWITCH sends one unformatted JSON object of string
 * values (ESL.md "JSON events"). The body stays the received bytes (no 5 KB string per event);
 * `getHeader` finds `"Name":` with Buffer.indexOf (a quote inside a value is always escaped, so an
 * unescaped `"Name":` is a key; UTF-8 continuation bytes never look like `"` or `\\`) and decodes
 * only that value. Values with escapes go through JSON.parse of just that string; a non-string value
 * (an array) through JSON.parse of the whole body, as does `headers` (neither is on the hot path).
 */
export class JsonEvent implements EslEvent {
  readonly #raw: Buffer;
  #all?: Record<string, unknown>;

  constructor(raw: Buffer | string) {
    this.#raw = typeof raw === "string" ? Buffer.from(raw) : raw;
  }

  /** A whole JSON object (`{` … `}`, whitespace around allowed): a body cut short by a spliced notice is not. */
  static of(body: Buffer): JsonEvent | undefined {
    let a = 0;
    let z = body.length - 1;
    while (a < z && isSpace(body[a]!)) a++;
    while (z > a && isSpace(body[z]!)) z--;
    if (z - a < 1 || body[a] !== 0x7b || body[z] !== 0x7d) return undefined;
    return new JsonEvent(a === 0 && z === body.length - 1 ? body : body.subarray(a, z + 1));
  }

  getHeader(name: string): string | null {
    if (this.#all) return stringOrNull(this.#all[name]);
    const raw = this.#raw;
    const key = `"${name}":`;
    const keyLen = Buffer.byteLength(key);
    for (let i = raw.indexOf(key); i >= 0; i = raw.indexOf(key, i + 1)) {
      if (!unescapedAt(raw, i)) continue;
      let v = i + keyLen;
      while (raw[v] === 0x20 || raw[v] === 0x09) v++;
      if (raw[v] !== 0x22) return this.#slow(name); // not a string: let JSON decide
      let j = v + 1;
      for (;;) {
        j = raw.indexOf(0x22, j);
        if (j < 0) return this.#slow(name);
        if (unescapedAt(raw, j)) break;
        j++;
      }
      const bs = raw.indexOf(0x5c, v + 1);
      if (bs < 0 || bs > j) return raw.toString("utf8", v + 1, j);
      try {
        return JSON.parse(raw.toString("utf8", v, j + 1)) as string;
      } catch {
        return this.#slow(name);
      }
    }
    return null;
  }

  getBody(): string {
    return this.getHeader("_body") ?? "";
  }

  get headers(): Array<{ name: string; value: string }> {
    return Object.entries(this.#parsed()).map(([name, value]) => ({ name, value: String(value) }));
  }

  #slow(name: string): string | null {
    return stringOrNull(this.#parsed()[name]);
  }

  #parsed(): Record<string, unknown> {
    if (!this.#all) {
      try {
        this.#all = JSON.parse(this.#raw.toString("utf8")) as Record<string, unknown>;
      } catch {
        this.#all = {};
      }
    }
    return this.#all;
  }
}

/** As modesl: a non-string value (multi-valued variables are JSON arrays) is returned as parsed. */
function stringOrNull(v: unknown): string | null {
  return v === undefined || v === null ? null : (v as string);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** True when the quote at `i` is not escaped (an even number of backslashes before it). */
function unescapedAt(b: Buffer, i: number): boolean {
  let n = 0;
  while (i - 1 - n >= 0 && b[i - 1 - n] === 0x5c) n++;
  return n % 2 === 0;
}
