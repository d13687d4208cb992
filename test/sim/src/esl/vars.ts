// A channel's variables in FreeSWITCH's order, rendered as `plain` lines or JSON members.
//
// A rendering is kept for the current callback (Channel releases it with its blocks) and until a
// variable changes: the events of one burst share it, and no text is kept for the call's life. A call lives
// 1-2 s and its events are 50 ms-1 s apart, so text kept from one event to the next would be
// copied twice by the young-generation GC (~4.5 µs per KB a call keeps, measured 2026-12-07),
// and a variable changes between almost every event anyway.
//
// A rendering is built with `+` (a rope the session's write flattens once), not joined: building
// ~180 pieces with `+` took ~0.8 µs against ~4.2 µs for Array#join, and with the write's flatten
// included ~4.0 against ~6.8 µs (microbenchmarks, 2026-12-07; BENCHMARKS.md round 8).
//
// Nothing per variable is an object: names are shared ids (one table for all channels), values sit
// in an array; the few values JSON must escape or that are not ASCII keep their JSON text aside.
import { fsUrlEncode, jsonClean, jsonContent, own } from "./frames.ts";

/**
 * Per name id, shared by all channels: the name, and its key as the first variable (`variable_k: `,
 * `,"variable_k":"`) or as a later one, with the end of the value before it (`\nvariable_k: `,
 * `","variable_k":"`): a variable is two pieces of a rendering, its key and its value. The byte
 * counts are the first form's (the later form has one more).
 */
const idOf = new Map<string, number>();
const names: string[] = [];
const plainFirst: string[] = [];
const plainNext: string[] = [];
const plainKeyBytes: number[] = [];
const jsonFirst: string[] = [];
const jsonNext: string[] = [];
const jsonKeyBytes: number[] = [];
/** Names beyond the table's bound get a negative id each (never shared). */
let nextPrivate = -2;
const TABLE_MAX = 4096;

function nameId(k: string): number {
  const id = idOf.get(k);
  if (id !== undefined) return id;
  if (names.length >= TABLE_MAX) return nextPrivate--;
  const n = names.length;
  // Kept for the process's life: a copy, not a slice of the command that named it.
  k = own(k);
  names.push(k);
  const p = "variable_" + k + ": ";
  plainFirst.push(p);
  plainNext.push("\n" + p);
  plainKeyBytes.push(Buffer.byteLength(p));
  const j = "," + JSON.stringify("variable_" + k) + ':"';
  jsonFirst.push(j);
  jsonNext.push('"' + j);
  jsonKeyBytes.push(Buffer.byteLength(j));
  idOf.set(k, n);
  return n;
}

/** The id of a deleted position (never a name's id: shared ids are >= 0, private ones <= -2). */
const DEAD = -1;

export class VarStore {
  /** Name id per position (every variable ever set, in order); a deleted one's becomes DEAD. */
  private readonly ids: number[];
  private readonly vals: string[];
  /** Positions used (the arrays may be longer: made at their expected size). */
  private n = 0;
  /**
   * Per position, for the few values that are not clean ASCII (jsonClean): the JSON string content
   * (escaped, without quotes). Made on the first such value.
   */
  private json8: Array<string | undefined> | undefined;
  /** Per position, the name of a variable without a shared id (the table is full). Made on first use. */
  private privateNames: Array<string | undefined> | undefined;
  /** This callback's rendering per format, "" when stale, and its UTF-8 byte count. */
  private plain = "";
  private plainBytes = 0;
  private json = "";
  private jsonBytes = 0;
  private live = 0;
  /** The byte count of the last `render` result. */
  bytes = 0;

  /**
   * `capacity`: the variables a store is expected to hold. Made at that size, the two arrays are
   * made once; grown from empty (17, 41, 77 slots), each size outlives a young-generation GC and
   * is copied and promoted before it is replaced (measured 2026-12-07: ~2.5 KB promoted per call
   * for an ESL call's ~55 variables).
   */
  constructor(capacity = 0) {
    this.ids = capacity > 0 ? new Array<number>(capacity) : [];
    this.vals = capacity > 0 ? new Array<string>(capacity) : [];
  }

  get size(): number {
    return this.live;
  }

  /** The position of `k`, or -1; `id`: its shared id (`idOf.get(k)`, looked up by the caller once). */
  private find(k: string, id: number | undefined): number {
    if (id !== undefined) {
      const { ids, n } = this;
      for (let i = 0; i < n; i++) if (ids[i] === id) return i;
      return -1;
    }
    // A name outside the shared table: compare names (ids are private, never equal).
    const p = this.privateNames;
    if (p) for (let i = 0; i < p.length && i < this.n; i++) if (this.ids[i] !== DEAD && p[i] === k) return i;
    return -1;
  }

  private nameAt(i: number): string {
    const id = this.ids[i]!;
    return id >= 0 ? names[id]! : this.privateNames![i]!;
  }

  get(k: string): string | undefined {
    const i = this.find(k, idOf.get(k));
    return i < 0 ? undefined : this.vals[i];
  }

  /**
   * FreeSWITCH keeps a channel's variables as unique headers: setting one deletes it and appends it
   * again (switch_event_base_add_header under EF_UNIQ_HEADERS), so a new or changed variable goes to
   * the end (the recordings: current_application, endpoint_disposition, DIALSTATUS move on every
   * change), and unsetting one deletes it.
   */
  set(k: string, v: string | undefined): void {
    const known = idOf.get(k);
    this.put(k, known, this.find(k, known), v);
  }

  /** Sets a variable again to its own value (FreeSWITCH moves it to the end); nothing if unset. */
  renew(k: string): void {
    const known = idOf.get(k);
    const i = this.find(k, known);
    if (i >= 0) this.put(k, known, i, this.vals[i]);
  }

  /** set, with `k`'s shared id and position (or -1) looked up. */
  private put(k: string, known: number | undefined, i: number, v: string | undefined): void {
    if (i >= 0) {
      // Already last with this value: moving it changes nothing.
      if (v !== undefined && i === this.n - 1 && this.vals[i] === v) return;
      this.ids[i] = DEAD;
      this.vals[i] = "";
      this.live--;
      this.note(i, "");
    }
    if (v !== undefined) {
      if (this.n === this.ids.length && this.live < this.n) this.compact();
      const id = known ?? nameId(k);
      const at = this.n++;
      this.ids[at] = id;
      this.vals[at] = v;
      if (id < 0) {
        const p = (this.privateNames ??= []);
        while (p.length < at) p.push(undefined);
        p[at] = own(k);
      }
      this.live++;
      this.note(at, v);
    } else if (i < 0) return;
    this.plain = this.json = "";
  }

  /**
   * A stacked variable (switch_channel_add_variable_var_check with SWITCH_STACK_PUSH, as
   * `originate_causes`): a new one is appended; pushing onto one that exists keeps its place and
   * makes its value FreeSWITCH's array text, `ARRAY::a|:b` (the recordings: a failover's second
   * attempt).
   */
  push(k: string, v: string): void {
    const known = idOf.get(k);
    const i = this.find(k, known);
    if (i < 0) {
      this.put(k, known, -1, v);
      return;
    }
    const old = this.vals[i]!;
    const nv = (old.startsWith("ARRAY::") ? old : "ARRAY::" + old) + "|:" + v;
    this.vals[i] = nv;
    this.note(i, nv);
    this.plain = this.json = "";
  }

  /** Drops the deleted positions (the arrays are full of them): live variables keep their order. */
  private compact(): void {
    const { ids, vals, json8, privateNames } = this;
    let to = 0;
    for (let from = 0; from < this.n; from++) {
      if (ids[from] === DEAD) continue;
      ids[to] = ids[from]!;
      vals[to] = vals[from]!;
      if (json8) json8[to] = json8[from];
      if (privateNames) privateNames[to] = privateNames[from];
      to++;
    }
    for (let j = to; j < this.n; j++) {
      vals[j] = "";
      if (json8 && j < json8.length) json8[j] = undefined;
      if (privateNames && j < privateNames.length) privateNames[j] = undefined;
    }
    this.n = to;
  }

  /** Keeps the JSON string content of a value that is not clean ASCII (rare), else clears it. */
  private note(i: number, v: string): void {
    if (jsonClean(v)) {
      if (this.json8 && this.json8[i] !== undefined) this.json8[i] = undefined;
      return;
    }
    const e = (this.json8 ??= []);
    while (e.length < i) e.push(undefined);
    e[i] = jsonContent(v);
  }

  /** The callback is over (or the channel is gone): drop the renderings. */
  release(): void {
    this.plain = this.json = "";
  }

  /** `[variable_k, v]` for every variable, in order. */
  pairs(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.n; i++) if (this.ids[i] !== DEAD) out.push(["variable_" + this.nameAt(i), this.vals[i]!]);
    return out;
  }

  /**
   * `variable_k: <urlencoded>\n` lines (plain) or `,"variable_k":"v"` members (JSON), all variables
   * in order; its UTF-8 byte count is left in `bytes`. `once`: a rendering nobody asks for again
   * (the connect reply), not kept.
   */
  render(json: boolean, once = false): string {
    const kept = json ? this.json : this.plain;
    if (kept !== "") {
      this.bytes = json ? this.jsonBytes : this.plainBytes;
      return kept;
    }
    const s = this.build(json);
    if (once) return s;
    if (json) {
      this.json = s;
      this.jsonBytes = this.bytes;
    } else {
      this.plain = s;
      this.plainBytes = this.bytes;
    }
    return s;
  }

  /**
   * All variables in one format. Plain values are URL-encoded (ASCII: length is byte count); JSON
   * values are written as they are, or as their escaped content (json8). Names are not encoded.
   */
  private build(json: boolean): string {
    const first = json ? jsonFirst : plainFirst;
    const next = json ? jsonNext : plainNext;
    const keyBytes = json ? jsonKeyBytes : plainKeyBytes;
    let s = "";
    let bytes = 0;
    let start = true;
    const { ids, vals, n } = this;
    const e = json ? this.json8 : undefined;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (id === DEAD) continue;
      if (id < 0) {
        const name = "variable_" + this.privateNames![i];
        const k = json ? (start ? "," : '",') + JSON.stringify(name) + ':"' : (start ? "" : "\n") + name + ": ";
        s += k;
        bytes += Buffer.byteLength(k);
      } else {
        s += start ? first[id]! : next[id]!;
        bytes += start ? keyBytes[id]! : keyBytes[id]! + 1;
      }
      start = false;
      const x = e?.[i];
      if (x !== undefined) {
        s += x;
        bytes += Buffer.byteLength(x);
      } else {
        const v = json ? vals[i]! : fsUrlEncode(vals[i]!);
        s += v;
        bytes += v.length;
      }
    }
    if (!start) {
      s += json ? '"' : "\n";
      bytes++;
    }
    this.bytes = bytes;
    return s;
  }
}
