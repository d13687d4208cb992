// A channel's variables in FreeSWITCH's order, with their `plain` lines and JSON members rendered
// in chunks of 16: an event writes the cached chunks, and only a chunk whose variables changed is
// rebuilt (the ~20 variables a call starts with never change; the rest change a few at a time).
import { fsUrlEncode } from "./frames.ts";

const CHUNK_SHIFT = 4;

/** A variable name's rendered keys, shared by all channels. */
interface Name {
  plain: string;
  json: string;
}

/** One variable; `line` / `json` are its value URL-encoded / JSON-stringified, once per value. */
interface Var {
  k: string;
  name: Name;
  v: string;
  /** Position in `order` (its chunk is `i >> CHUNK_SHIFT`). */
  i: number;
  dead: boolean;
  line: string | undefined;
  json: string | undefined;
}

/** A cached chunk: flat string and UTF-8 byte count per format. */
interface Chunk {
  plain: string | undefined;
  plainBytes: number;
  json: string | undefined;
  jsonBytes: number;
}

/** `variable_k: ` and `,"variable_k":` per variable name, shared by all channels (bounded). */
const names = new Map<string, Name>();

function nameOf(k: string): Name {
  let n = names.get(k);
  if (n === undefined) {
    // Array#join of non-empty parts makes one sequential string (`+` would make a cons tree, which
    // young-GC copies object by object when it outlives a scavenge, as everything a call keeps does).
    n = { plain: ["variable_", k, ": "].join(""), json: [",", JSON.stringify("variable_" + k), ":"].join("") };
    if (names.size < 4096) names.set(k, n);
  }
  return n;
}

/** The rendered variables of one event: chunk strings written back to back, and their byte count. */
export interface VarParts {
  parts: string[];
  bytes: number;
}

export class VarStore {
  private readonly byName = new Map<string, Var>();
  /** Every variable ever set, in order; a deleted one stays as a tombstone (`dead`). */
  private readonly order: Var[] = [];
  private readonly chunks: Chunk[] = [];

  get size(): number {
    return this.byName.size;
  }

  get(k: string): string | undefined {
    return this.byName.get(k)?.v;
  }

  /** A new variable goes to the end, as FreeSWITCH appends new ones; a changed one keeps its place. */
  set(k: string, v: string | undefined): void {
    const cur = this.byName.get(k);
    if (v === undefined) {
      if (!cur) return;
      this.byName.delete(k);
      cur.dead = true;
    } else if (cur === undefined) {
      const x: Var = { k, name: nameOf(k), v, i: this.order.length, dead: false, line: undefined, json: undefined };
      this.order.push(x);
      this.byName.set(k, x);
      this.dirty(x.i);
      return;
    } else if (cur.v === v) return;
    else {
      cur.v = v;
      cur.line = cur.json = undefined;
    }
    this.dirty(cur.i);
  }

  private dirty(i: number): void {
    const c = this.chunks[i >> CHUNK_SHIFT];
    if (c) c.plain = c.json = undefined;
  }

  /** `[variable_k, v]` for every variable, in order. */
  pairs(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const x of this.order) if (!x.dead) out.push(["variable_" + x.k, x.v]);
    return out;
  }

  /** `variable_k: <urlencoded>\n` lines (plain) or `,"variable_k":"v"` members (JSON), as cached chunks. */
  render(json: boolean): VarParts {
    const parts: string[] = [];
    let bytes = 0;
    const n = this.order.length;
    for (let ci = 0; ci << CHUNK_SHIFT < n; ci++) {
      let c = this.chunks[ci];
      if (!c) this.chunks[ci] = c = { plain: undefined, plainBytes: 0, json: undefined, jsonBytes: 0 };
      let s = json ? c.json : c.plain;
      if (s === undefined) {
        s = this.build(ci, json);
        const b = Buffer.byteLength(s);
        if (json) {
          c.json = s;
          c.jsonBytes = b;
        } else {
          c.plain = s;
          c.plainBytes = b;
        }
      }
      if (s === "") continue;
      parts.push(s);
      bytes += json ? c.jsonBytes : c.plainBytes;
    }
    return { parts, bytes };
  }

  private build(ci: number, json: boolean): string {
    const out: string[] = [];
    const end = Math.min(this.order.length, (ci + 1) << CHUNK_SHIFT);
    for (let i = ci << CHUNK_SHIFT; i < end; i++) {
      const x = this.order[i]!;
      if (x.dead) continue;
      if (json) out.push(x.name.json, (x.json ??= JSON.stringify(x.v)));
      else out.push(x.name.plain, (x.line ??= fsUrlEncode(x.v)), "\n");
    }
    return out.join("");
  }
}
