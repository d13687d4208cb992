// A channel's variables in FreeSWITCH's order, with their `plain` lines and JSON members rendered
// in chunks of 16: an event takes the cached text, and only a chunk whose variables changed is
// rebuilt (the ~20 variables a call starts with never change; the rest change a few at a time).
//
// Nothing per variable is an object: names are shared ids (one table for all channels), values sit
// in an array. A rendering is one string per format (the chunks concatenated), reused by every
// event until a variable changes: the events of one burst share it, and the session's write
// flattens it once.
import { fsUrlEncode, jsonPlain } from "./frames.ts";

const CHUNK_SHIFT = 4;

/** Per name id: `variable_k: `, `,"variable_k":` and `,"variable_k":"` (shared by all channels). */
const idOf = new Map<string, number>();
const plainKeys: string[] = [];
const jsonKeys: string[] = [];
const jsonQuoted: string[] = [];
/** Names beyond the table's bound get a negative id each (never shared). */
let nextPrivate = -2;

function nameId(k: string): number {
  const id = idOf.get(k);
  if (id !== undefined) return id;
  if (plainKeys.length >= 4096) return nextPrivate--;
  const n = plainKeys.length;
  // Array#join makes one flat string (`+` would make a cons tree for young-GC to copy).
  plainKeys.push(["variable_", k, ": "].join(""));
  const j = [",", JSON.stringify("variable_" + k), ":"].join("");
  jsonKeys.push(j);
  jsonQuoted.push(j + '"');
  idOf.set(k, n);
  return n;
}

/** The id of a deleted position (never a name's id: shared ids are >= 0, private ones <= -2). */
const DEAD = -1;

export class VarStore {
  /** Name id per position (every variable ever set, in order); a deleted one's becomes DEAD. */
  private readonly ids: number[] = [];
  /** The name per position (kept for `pairs` and names without a shared id). */
  private readonly keys: string[] = [];
  private readonly vals: string[] = [];
  /**
   * JSON.stringify(value) per position for the few values JSON must escape (quotes, backslashes,
   * control characters, lone surrogates), checked once when set; made on the first such value.
   * Every other value is written between quotes as it is.
   */
  private escaped: Array<string | undefined> | undefined;
  /** Per chunk and format (plain at 2 * chunk, JSON at 2 * chunk + 1): its text, "" when stale. */
  private readonly chunks: string[] = [];
  private readonly chunkBytes: number[] = [];
  /** The whole rendering per format, "" when stale, and its UTF-8 byte count. */
  private plain = "";
  private plainBytes = 0;
  private json = "";
  private jsonBytes = 0;
  private live = 0;
  /** The byte count of the last `render` result. */
  bytes = 0;

  get size(): number {
    return this.live;
  }

  private find(k: string): number {
    const id = idOf.get(k);
    if (id !== undefined) return this.ids.indexOf(id);
    // A name outside the shared table: compare names (ids are private, never equal).
    for (let i = 0; i < this.keys.length; i++) if (this.ids[i] !== DEAD && this.keys[i] === k) return i;
    return -1;
  }

  get(k: string): string | undefined {
    const i = this.find(k);
    return i < 0 ? undefined : this.vals[i];
  }

  /** A new variable goes to the end, as FreeSWITCH appends new ones; a changed one keeps its place. */
  set(k: string, v: string | undefined): void {
    const i = this.find(k);
    if (v === undefined) {
      if (i < 0) return;
      this.ids[i] = DEAD;
      this.vals[i] = "";
      this.live--;
      this.escape(i, "");
    } else if (i < 0) {
      this.ids.push(nameId(k));
      this.keys.push(k);
      this.vals.push(v);
      this.live++;
      this.escape(this.ids.length - 1, v);
      this.dirty(this.ids.length - 1);
      return;
    } else if (this.vals[i] === v) return;
    else {
      this.vals[i] = v;
      this.escape(i, v);
    }
    this.dirty(i);
  }

  private escape(i: number, v: string): void {
    if (jsonPlain(v)) {
      if (this.escaped && this.escaped[i] !== undefined) this.escaped[i] = undefined;
      return;
    }
    const e = (this.escaped ??= []);
    while (e.length < i) e.push(undefined);
    e[i] = JSON.stringify(v);
  }

  private dirty(i: number): void {
    const ci = i >> CHUNK_SHIFT;
    if (2 * ci < this.chunks.length) {
      this.chunks[2 * ci] = "";
      this.chunks[2 * ci + 1] = "";
    }
    this.plain = this.json = "";
  }

  /** The channel is gone: drop the renderings. */
  release(): void {
    this.chunks.length = 0;
    this.chunkBytes.length = 0;
    this.plain = this.json = "";
  }

  /** `[variable_k, v]` for every variable, in order. */
  pairs(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.ids.length; i++) if (this.ids[i] !== DEAD) out.push(["variable_" + this.keys[i], this.vals[i]!]);
    return out;
  }

  /**
   * `variable_k: <urlencoded>\n` lines (plain) or `,"variable_k":"v"` members (JSON), all variables
   * in order; its UTF-8 byte count is left in `bytes`. `once`: a rendering nobody asks for again
   * (the connect reply), built without keeping anything.
   */
  render(json: boolean, once = false): string {
    let s = json ? this.json : this.plain;
    if (s !== "") {
      this.bytes = json ? this.jsonBytes : this.plainBytes;
      return s;
    }
    let bytes = 0;
    const n = this.ids.length;
    const f = json ? 1 : 0;
    for (let ci = 0; ci << CHUNK_SHIFT < n; ci++) {
      const slot = 2 * ci + f;
      let c = this.chunks[slot];
      let b: number;
      if (c) b = this.chunkBytes[slot]!;
      else {
        c = this.build(ci, json);
        b = Buffer.byteLength(c);
        if (!once) {
          while (this.chunks.length <= slot) {
            this.chunks.push("");
            this.chunkBytes.push(0);
          }
          this.chunks[slot] = c;
          this.chunkBytes[slot] = b;
        }
      }
      s += c;
      bytes += b;
    }
    this.bytes = bytes;
    if (once) return s;
    if (json) {
      this.json = s;
      this.jsonBytes = bytes;
    } else {
      this.plain = s;
      this.plainBytes = bytes;
    }
    return s;
  }

  private build(ci: number, json: boolean): string {
    const out: string[] = [];
    const end = Math.min(this.ids.length, (ci + 1) << CHUNK_SHIFT);
    for (let i = ci << CHUNK_SHIFT; i < end; i++) {
      const id = this.ids[i]!;
      if (id === DEAD) continue;
      const v = this.vals[i]!;
      if (id < 0) {
        // A private name (table full): its keys are made here.
        const k = this.keys[i]!;
        if (json) out.push(",", JSON.stringify("variable_" + k), ":", JSON.stringify(v));
        else out.push("variable_", k, ": ", fsUrlEncode(v), "\n");
      } else if (json) {
        const e = this.escaped?.[i];
        if (e === undefined) out.push(jsonQuoted[id]!, v, '"');
        else out.push(jsonKeys[id]!, e);
      } else out.push(plainKeys[id]!, fsUrlEncode(v), "\n");
    }
    return out.join("");
  }
}
