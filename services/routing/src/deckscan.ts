// Rate decks straight from the configuration document's UTF-8 bytes: a scan finds every
// `rateDecks.<id>.rates` object, inserts its "prefix": cost pairs into a trie without creating a
// string or an object per entry, and hands back the document with those objects replaced by {}
// (a few kB that JSON.parse and the schema then handle as usual). Anything unusual (an escape in
// a key, a non-integer or out-of-range cost, a key that is not 0-15 digits, a duplicate section)
// gives { ok: false } and the caller takes the full JSON.parse + schema path, which reports the
// exact issues.
//
// Every function here is self-contained (no imports, no module state, calls only the others in
// SCAN_FUNCTIONS): offthread.ts builds the deck worker from their source text, so the worker
// starts in milliseconds without a TypeScript loader. Tests call them in-process.

/** A packed trie (packed.ts): per node a 10-bit child mask, the index of its first child, a value. */
export interface PackedArrays {
  bits: Uint16Array;
  first: Int32Array;
  val: Int32Array;
  size: number;
}

/**
 * `skeleton` is the document with every rates object replaced by {}; the value of `rateDecks`
 * (ids, versions, empty rates) is `skeleton.slice(decksAt, decksAt + decksLength)`, or -1/0 when
 * the document has none. The rest lets a caller see that only the rate decks changed.
 */
export type ScanReply = { ok: true; skeleton: string; decksAt: number; decksLength: number; decks: [string, PackedArrays][] } | { ok: false; reason: string };

/** A growing trie with a block of ten child slots per inner node: the builder packed from. */
export interface TrieBuild {
  base: Int32Array; // node -> first of its ten slots in kids, or -1
  val: Int32Array; // node -> value, or -1
  kids: Int32Array; // child node ids, 0 = none
  nodes: number;
  kidsUsed: number;
  size: number;
}

/** A builder for about `capacity` nodes, `kidSlots` child slots per node (ten per inner node; 6 fits rate decks, where ~58 % of nodes are inner). */
export function trieNew(capacity: number, kidSlots = 2): TrieBuild {
  const cap = Math.max(16, capacity | 0);
  return { base: new Int32Array(cap).fill(-1), val: new Int32Array(cap).fill(-1), kids: new Int32Array(cap * kidSlots), nodes: 1, kidsUsed: 0, size: 0 };
}

/** The child of `node` for digit `d` (0-9), created when missing. */
export function trieStep(t: TrieBuild, node: number, d: number): number {
  let b = t.base[node]!;
  if (b < 0) {
    if (t.kidsUsed + 10 > t.kids.length) {
      const kids = new Int32Array(t.kids.length * 2 + 40);
      kids.set(t.kids);
      t.kids = kids;
    }
    b = t.kidsUsed;
    t.kidsUsed += 10;
    t.base[node] = b;
  }
  let c = t.kids[b + d]!;
  if (c === 0) {
    if (t.nodes === t.base.length) {
      const base = new Int32Array(t.base.length * 2).fill(-1);
      base.set(t.base);
      const val = new Int32Array(t.val.length * 2).fill(-1);
      val.set(t.val);
      t.base = base;
      t.val = val;
    }
    c = t.nodes++;
    t.kids[b + d] = c;
  }
  return c;
}

export function trieMark(t: TrieBuild, node: number, value: number): void {
  if (t.val[node]! < 0) t.size++;
  t.val[node] = value;
}

/** Breadth-first renumbering: the children of a node are consecutive, so a 10-bit mask and the first child's index replace ten slots. */
export function triePack(t: TrieBuild): PackedArrays {
  const n = t.nodes;
  const bits = new Uint16Array(n);
  const first = new Int32Array(n);
  const val = new Int32Array(n);
  const order = new Int32Array(n); // new id -> old id; order[0] = 0, the root
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const old = order[head]!;
    val[head] = t.val[old]!;
    const b = t.base[old]!;
    if (b < 0) continue;
    let m = 0;
    first[head] = tail;
    for (let d = 0; d < 10; d++) {
      const c = t.kids[b + d]!;
      if (c !== 0) {
        m |= 1 << d;
        order[tail++] = c;
      }
    }
    bits[head] = m;
  }
  return { bits, first, val, size: t.size };
}

export function jsonWs(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i]!;
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

/** `b[i]` is a quote: the index after the closing quote, or -1. */
export function jsonStringEnd(b: Uint8Array, i: number): number {
  for (let j = i + 1; j < b.length; j++) {
    const c = b[j]!;
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}

/** Skips one value from `i`; the index after it, or -1. Not a validator: JSON.parse of the skeleton checks everything outside the rates. */
export function jsonSkip(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === 34) return jsonStringEnd(b, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < b.length; j++) {
      const x = b[j]!;
      if (x === 34) {
        j = jsonStringEnd(b, j);
        if (j < 0) return -1;
        j--;
      } else if (x === 123 || x === 91) depth++;
      else if ((x === 125 || x === 93) && --depth === 0) return j + 1;
    }
    return -1;
  }
  let j = i;
  while (j < b.length) {
    const x = b[j]!;
    if (x === 44 || x === 125 || x === 93 || x === 32 || x === 10 || x === 13 || x === 9) break;
    j++;
  }
  return j === i ? -1 : j;
}

/** The key string from `s` (a quote) to `e` (after the closing quote) equals `lit`; -1 when it has an escape. */
export function jsonKeyIs(b: Uint8Array, s: number, e: number, lit: string): number {
  for (let j = s + 1; j < e - 1; j++) if (b[j] === 92) return -1;
  if (e - s - 2 !== lit.length) return 0;
  for (let j = 0; j < lit.length; j++) if (b[s + 1 + j] !== lit.charCodeAt(j)) return 0;
  return 1;
}

/**
 * `b[i]` is '{' of a rates object: inserts every pair into `t`; the index after '}', or -1 for
 * anything but "0-15 digits": integer 0..maxMicro. `poll`, if given, is called every 65,536 pairs.
 */
export function scanRates(b: Uint8Array, i: number, t: TrieBuild, maxMicro: number, poll?: () => void): number {
  i = jsonWs(b, i + 1);
  if (b[i] === 125) return i + 1;
  for (let n = 1; ; n++) {
    if (poll && (n & 0xffff) === 0) poll();
    if (b[i] !== 34) return -1;
    let j = i + 1;
    let node = 0;
    for (;;) {
      const c = b[j];
      if (c === 34) break;
      if (c === undefined || c < 48 || c > 57 || j - i > 15) return -1;
      node = trieStep(t, node, c - 48);
      j++;
    }
    i = jsonWs(b, j + 1);
    if (b[i] !== 58) return -1;
    i = jsonWs(b, i + 1);
    const s = i;
    let v = 0;
    while (i < b.length) {
      const c = b[i]!;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const x = b[i];
    if (i === s || i - s > 9 || (b[s] === 48 && i - s > 1) || v > maxMicro || x === 46 || x === 101 || x === 69) return -1;
    trieMark(t, node, v);
    i = jsonWs(b, i);
    if (b[i] === 125) return i + 1;
    if (b[i] !== 44) return -1;
    i = jsonWs(b, i + 1);
  }
}

/**
 * The value of `rateDecks` at `i`: every deck's rates compiled, their byte ranges pushed to
 * `ranges`. The index after the value, or -1 to give up.
 */
export function scanRateDecks(b: Uint8Array, i: number, maxMicro: number, ranges: number[], decks: [string, PackedArrays][], poll?: () => void): number {
  if (b[i] !== 123) return jsonSkip(b, i); // not a mapping: the schema reports it
  const seen = new Set<string>();
  const dec = new TextDecoder();
  i = jsonWs(b, i + 1);
  if (b[i] === 125) return i + 1;
  for (;;) {
    if (b[i] !== 34) return -1;
    const ks = i;
    i = jsonStringEnd(b, i);
    if (i < 0 || jsonKeyIs(b, ks, i, "") < 0) return -1;
    const id = dec.decode(b.subarray(ks + 1, i - 1));
    if (seen.has(id)) return -1;
    seen.add(id);
    i = jsonWs(b, i);
    if (b[i] !== 58) return -1;
    i = jsonWs(b, i + 1);
    if (b[i] !== 123) i = jsonSkip(b, i);
    else {
      let rates = false;
      i = jsonWs(b, i + 1);
      if (b[i] === 125) i++;
      else
        for (;;) {
          if (b[i] !== 34) return -1;
          const ms = i;
          i = jsonStringEnd(b, i);
          const isRates = i < 0 ? -1 : jsonKeyIs(b, ms, i, "rates");
          if (isRates < 0) return -1;
          i = jsonWs(b, i);
          if (b[i] !== 58) return -1;
          i = jsonWs(b, i + 1);
          if (isRates === 1 && b[i] === 123) {
            if (rates) return -1;
            rates = true;
            const start = i;
            const end = jsonSkip(b, i); // sizes the builder: one node per ~8 bytes of "prefix": cost,
            const t = trieNew(Math.max(1024, ((end - start) >> 3) | 0), 6); // sized once: no grow-and-copy of large arrays
            i = scanRates(b, i, t, maxMicro, poll);
            if (i < 0) return -1;
            ranges.push(start, i);
            decks.push([id, triePack(t)]);
          } else if (isRates === 1) return -1;
          else i = jsonSkip(b, i);
          if (i < 0) return -1;
          i = jsonWs(b, i);
          if (b[i] === 125) {
            i++;
            break;
          }
          if (b[i] !== 44) return -1;
          i = jsonWs(b, i + 1);
        }
    }
    if (i < 0) return -1;
    i = jsonWs(b, i);
    if (b[i] === 125) return i + 1;
    if (b[i] !== 44) return -1;
    i = jsonWs(b, i + 1);
  }
}

/** The whole document: compiled decks and the skeleton text (rates replaced by {}), or { ok: false }. `poll`: see scanRates. */
export function scanDocument(b: Uint8Array, maxMicro: number, poll?: () => void): ScanReply {
  const ranges: number[] = [];
  const decks: [string, PackedArrays][] = [];
  let i = jsonWs(b, 0);
  if (b[i] !== 123) return { ok: false, reason: "not a JSON object" };
  let seen = false;
  let rs = -1; // the rateDecks value: [rs, re) of b
  let re = -1;
  i = jsonWs(b, i + 1);
  if (b[i] !== 125)
    for (;;) {
      if (b[i] !== 34) return { ok: false, reason: `expected a key at byte ${i}` };
      const ks = i;
      i = jsonStringEnd(b, i);
      const isDecks = i < 0 ? -1 : jsonKeyIs(b, ks, i, "rateDecks");
      if (isDecks < 0) return { ok: false, reason: `unusual key at byte ${ks}` };
      i = jsonWs(b, i);
      if (b[i] !== 58) return { ok: false, reason: `expected ':' at byte ${i}` };
      i = jsonWs(b, i + 1);
      if (isDecks === 1) {
        if (seen) return { ok: false, reason: "rateDecks twice" };
        seen = true;
        rs = i;
        i = scanRateDecks(b, i, maxMicro, ranges, decks, poll);
        re = i;
      } else i = jsonSkip(b, i);
      if (i < 0) return { ok: false, reason: "rate decks need the full parser" };
      i = jsonWs(b, i);
      if (b[i] === 125) break;
      if (b[i] !== 44) return { ok: false, reason: `expected ',' at byte ${i}` };
      i = jsonWs(b, i + 1);
    }
  const dec = new TextDecoder();
  if (rs < 0) return { ok: true, skeleton: dec.decode(b), decksAt: -1, decksLength: 0, decks };
  let mid = ""; // the rateDecks value, rates replaced by {}
  let pos = rs;
  for (let r = 0; r < ranges.length; r += 2) {
    mid += `${dec.decode(b.subarray(pos, ranges[r]))}{}`;
    pos = ranges[r + 1]!;
  }
  mid += dec.decode(b.subarray(pos, re));
  const before = dec.decode(b.subarray(0, rs));
  return { ok: true, skeleton: before + mid + dec.decode(b.subarray(re)), decksAt: before.length, decksLength: mid.length, decks };
}

/** What the worker is built from (offthread.ts), in dependency order. */
export const SCAN_FUNCTIONS = [trieNew, trieStep, trieMark, triePack, jsonWs, jsonStringEnd, jsonSkip, jsonKeyIs, scanRates, scanRateDecks, scanDocument];
