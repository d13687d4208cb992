// ESL wire format: FreeSWITCH-style URL encoding, frame builders and a parser that reads by
// Content-Length (frames carry no other delimiter; bodies contain blank lines).

const HEX = "0123456789ABCDEF";
const UNSAFE_ASCII = '\r\n "#%&+:;<=>?@[\\]^`{|}';
/** Per ASCII code: "" when it stays as is, else its %XX escape. */
const ESC: string[] = [];
for (let c = 0; c < 128; c++) {
  const bad = c <= 0x20 || c >= 0x7f || UNSAFE_ASCII.includes(String.fromCharCode(c));
  ESC.push(bad ? "%" + HEX[c >> 4] + HEX[c & 15] : "");
}

/** True when JSON.stringify(v) is `"` + v + `"` (no quote, backslash, control or lone surrogate). */
export function jsonPlain(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** JSON.stringify(v), without calling it for the common value that needs no escape. */
export function jsonString(v: string): string {
  return jsonPlain(v) ? '"' + v + '"' : JSON.stringify(v);
}

/**
 * True when `v` is printable ASCII without `"` or `\`: its JSON string content is `v` itself and its
 * length is its UTF-8 byte count (what a rendering needs to count bytes without encoding).
 */
export function jsonClean(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** The content of v's JSON string (escaped, without its quotes). */
export function jsonContent(v: string): string {
  const q = JSON.stringify(v);
  return q.slice(1, q.length - 1);
}

/** switch_url_encode: printable ASCII except the unsafe set stays; everything else is %XX (UTF-8 bytes). */
export function fsUrlEncode(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 128 || ESC[c] !== "") break;
    i++;
  }
  if (i === n) return s;
  // Safe runs are copied as slices, unsafe characters replaced by their escapes; joined, not `+`:
  // the result is one flat piece of a rendering's rope, not a tree of its own.
  const out: string[] = [];
  let run = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      out.push(s.slice(run, i), encodeUtf8Tail(s.slice(i)));
      return out.join("");
    }
    const e = ESC[c]!;
    if (e === "") continue;
    out.push(s.slice(run, i), e);
    run = i + 1;
  }
  out.push(s.slice(run));
  return out.join("");
}

function encodeUtf8Tail(s: string): string {
  let out = "";
  for (const c of Buffer.from(s, "utf8")) out += c < 128 ? ESC[c] || String.fromCharCode(c) : "%" + HEX[c >> 4] + HEX[c & 15];
  return out;
}

/**
 * `s` without the text it may have been sliced from: a value parsed out of a command keeps the
 * whole read (often several pipelined commands) alive while it is kept, for a call's life.
 */
export function own(s: string): string {
  // A slice shorter than 13 characters is a copy already; a longer one is sliced from " " + s.
  return s.length < 13 ? s : (" " + s).slice(1);
}

export function fsUrlDecode(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";

export function commandReply(text: string, extra?: Array<[string, string]>): string {
  let s = "Content-Type: command/reply\nReply-Text: " + text + "\n";
  if (extra) for (const [k, v] of extra) s += k + ": " + v + "\n";
  return s + "\n";
}

export function apiResponse(body: string): string {
  return "Content-Type: api/response\nContent-Length: " + Buffer.byteLength(body) + "\n\n" + body;
}

export function disconnectNotice(body: string, headers: Array<[string, string]> = []): string {
  let s = "Content-Type: text/disconnect-notice\n";
  for (const [k, v] of headers) s += k + ": " + v + "\n";
  return s + "Content-Length: " + Buffer.byteLength(body) + "\n\n" + body;
}

/** Wrap an event's inner text (plain header block or JSON) in its outer frame. */
export function eventFrame(kind: "plain" | "json", inner: string): string {
  return (
    "Content-Length: " +
    Buffer.byteLength(inner) +
    "\nContent-Type: " +
    (kind === "plain" ? "text/event-plain" : "text/event-json") +
    "\n\n" +
    inner
  );
}

/** Render event headers (ordered pairs) as FreeSWITCH does for `plain`. */
export function plainEventBody(pairs: Array<[string, string]>, body?: string): string {
  let s = "";
  for (const [k, v] of pairs) s += k + ": " + fsUrlEncode(v) + "\n";
  if (body !== undefined) s += "Content-Length: " + Buffer.byteLength(body) + "\n\n" + body;
  else s += "\n";
  return s;
}

export function jsonEventBody(pairs: Array<[string, string]>, body?: string): string {
  const o: Record<string, string> = {};
  for (const [k, v] of pairs) o[k] = v;
  if (body !== undefined) {
    o["Content-Length"] = String(Buffer.byteLength(body));
    o._body = body;
  }
  return JSON.stringify(o);
}

export interface EslFrame {
  /** Outer headers as on the wire (not decoded), in order. */
  headers: Record<string, string>;
  headerNames: string[];
  body: string;
  /** For text/event-plain (URL-decoded) and text/event-json: the event headers. */
  event?: Record<string, string>;
  eventHeaderNames?: string[];
  /** An event's own body (BACKGROUND_JOB output); `_body` for JSON. */
  eventBody?: string;
}

function headerBlock(text: string, decode: boolean): { h: Record<string, string>; names: string[] } {
  const h: Record<string, string> = {};
  const names: string[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const i = line.indexOf(":");
    const k = i < 0 ? line : line.slice(0, i);
    let v = i < 0 ? "" : line.slice(i + 1);
    if (v.startsWith(" ")) v = v.slice(1);
    h[k] = decode ? fsUrlDecode(v) : v;
    names.push(k);
  }
  return { h, names };
}

/** Parse as many whole frames as `buf` holds; `rest` is the unparsed tail. */
export function parseEslFrames(buf: Buffer): { frames: EslFrame[]; rest: Buffer } {
  const frames: EslFrame[] = [];
  let off = 0;
  for (;;) {
    // FreeSWITCH never emits leading blank lines, but tolerate them.
    while (off < buf.length && buf[off] === 10) off++;
    const end = buf.indexOf("\n\n", off);
    if (end < 0) break;
    const { h, names } = headerBlock(buf.toString("utf8", off, end), false);
    const len = Number.parseInt(h["Content-Length"] ?? "0", 10) || 0;
    if (buf.length < end + 2 + len) break;
    const body = buf.toString("utf8", end + 2, end + 2 + len);
    off = end + 2 + len;
    const f: EslFrame = { headers: h, headerNames: names, body };
    const ct = h["Content-Type"];
    if (ct === "text/event-plain") {
      const j = body.indexOf("\n\n");
      const ev = headerBlock(j >= 0 ? body.slice(0, j) : body, true);
      f.event = ev.h;
      f.eventHeaderNames = ev.names;
      if (ev.h["Content-Length"] !== undefined && j >= 0) f.eventBody = body.slice(j + 2);
    } else if (ct === "text/event-json") {
      try {
        const o = JSON.parse(body) as Record<string, string>;
        f.event = o;
        f.eventHeaderNames = Object.keys(o);
        if (o._body !== undefined) f.eventBody = o._body;
      } catch {
        /* leave undecoded */
      }
    }
    frames.push(f);
  }
  return { frames, rest: buf.subarray(off) };
}

/** Incremental wrapper around parseEslFrames. */
export class EslFrameReader {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): EslFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const { frames, rest } = parseEslFrames(this.buf);
    this.buf = rest;
    return frames;
  }
  get pending(): number {
    return this.buf.length;
  }
}

export interface EslCommand {
  line: string;
  headers: Record<string, string>;
  body?: string;
}

/** Server side: commands end at the first empty line; `\r` and leading blank lines are ignored. */
export class EslCommandReader {
  private buf = "";
  push(chunk: string): EslCommand[] {
    this.buf += chunk.includes("\r") ? chunk.replace(/\r/g, "") : chunk;
    const out: EslCommand[] = [];
    for (;;) {
      let start = 0;
      while (this.buf[start] === "\n") start++;
      if (start) this.buf = this.buf.slice(start);
      const end = this.buf.indexOf("\n\n");
      if (end < 0) break;
      const lines = this.buf.slice(0, end).split("\n");
      const line = lines.shift() ?? "";
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i < 0) continue;
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).replace(/^ /, "");
      }
      const len = Number.parseInt(headers["content-length"] ?? "", 10);
      if (len > 0) {
        const bodyStart = end + 2;
        const bytes = Buffer.from(this.buf.slice(bodyStart), "utf8");
        if (bytes.length < len) break;
        const body = bytes.subarray(0, len).toString("utf8");
        this.buf = this.buf.slice(bodyStart + body.length);
        out.push({ line, headers, body });
      } else {
        this.buf = this.buf.slice(end + 2);
        out.push({ line, headers });
      }
    }
    return out;
  }
}
