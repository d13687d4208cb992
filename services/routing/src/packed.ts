// A rate deck as a packed trie: nodes in breadth-first order, so the children of a node are
// consecutive and a node needs only a 10-bit mask of which digits have a child, the index of its
// first child and its value (10 bytes a node; 18 MB for 1,000,000 prefixes, against 57 MB with
// ten child slots per inner node). Built by deckscan.ts (in the deck worker or in-process) and
// read-only: the arrays can be transferred between threads as they are.
import { type PackedArrays, triePack, trieMark, trieNew, trieStep } from "./deckscan.ts";

// number of set bits of every 10-bit mask: the rank of a digit among a node's children
const POP10 = new Uint8Array(1024);
for (let m = 1; m < 1024; m++) POP10[m] = (m & 1) + POP10[m >> 1]!;

export class PackedPrefixTable {
  readonly #bits: Uint16Array;
  readonly #first: Int32Array;
  readonly #val: Int32Array;
  readonly size: number;

  constructor(a: PackedArrays) {
    this.#bits = a.bits;
    this.#first = a.first;
    this.#val = a.val;
    this.size = a.size;
  }

  /** A table of `entries` (prefix of digits, "" = catch-all -> value >= 0). Throws RangeError on a non-digit. */
  static from(entries: Iterable<[string, number]>, capacity = 256): PackedPrefixTable {
    const t = trieNew(capacity);
    for (const [p, v] of entries) {
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const d = p.charCodeAt(i) - 48;
        if (d < 0 || d > 9) throw new RangeError(`prefix ${JSON.stringify(p)} is not all digits`);
        node = trieStep(t, node, d);
      }
      trieMark(t, node, v);
    }
    return new PackedPrefixTable(triePack(t));
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    return this.#bits.byteLength + this.#first.byteLength + this.#val.byteLength;
  }

  /** The value of the longest prefix of `digits` (from index `from`), or -1. */
  lookup(digits: string, from = 0): number {
    const bits = this.#bits;
    const first = this.#first;
    const val = this.#val;
    let node = 0;
    let best = val[0]!;
    for (let i = from; i < digits.length; i++) {
      const d = digits.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      const m = bits[node]!;
      if (((m >> d) & 1) === 0) break;
      node = first[node]! + POP10[m & ((1 << d) - 1)]!;
      const v = val[node]!;
      if (v >= 0) best = v;
    }
    return best;
  }
}
