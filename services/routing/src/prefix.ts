// Longest-prefix match over decimal digits: a trie in typed arrays that grows as prefixes are set
// (zone decks, block groups, the number plan). A node only gets a block of ten child slots once it
// has a child, and a lookup is one pass over the digits with no allocation. Rate decks, which may
// hold a million prefixes, are packed read-only tries instead (packed.ts).
export class PrefixTable {
  #base: Int32Array; // node -> start of its 10 child slots in #kids, or -1
  #val: Int32Array; // node -> value, or -1
  #kids: Int32Array; // child node ids; 0 = none (the root is nobody's child)
  #nodes = 1;
  #kidsUsed = 0;
  #size = 0;

  constructor(capacity = 256) {
    this.#base = new Int32Array(capacity).fill(-1);
    this.#val = new Int32Array(capacity).fill(-1);
    this.#kids = new Int32Array(capacity * 4);
  }

  /** Number of prefixes stored. */
  get size(): number {
    return this.#size;
  }

  /** Approximate bytes held by the typed arrays. */
  get bytes(): number {
    return this.#base.byteLength + this.#val.byteLength + this.#kids.byteLength;
  }

  /** Stores `value` (≥ 0) under `prefix` (digits only, may be "" for a catch-all). */
  set(prefix: string, value: number): void {
    let node = 0;
    for (let i = 0; i < prefix.length; i++) {
      const d = prefix.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw new RangeError(`prefix ${JSON.stringify(prefix)} is not all digits`);
      let b = this.#base[node]!;
      if (b < 0) b = this.#newBlock(node);
      let child = this.#kids[b + d]!;
      if (child === 0) {
        child = this.#newNode();
        this.#kids[b + d] = child;
      }
      node = child;
    }
    if (this.#val[node]! < 0) this.#size++;
    this.#val[node] = value;
  }

  /** The value of the longest prefix of `digits` (from index `from`), or -1. */
  lookup(digits: string, from = 0): number {
    const base = this.#base;
    const kids = this.#kids;
    const val = this.#val;
    let node = 0;
    let best = val[0]!;
    for (let i = from; i < digits.length; i++) {
      const b = base[node]!;
      if (b < 0) break;
      const d = digits.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      node = kids[b + d]!;
      if (node === 0) break;
      const v = val[node]!;
      if (v >= 0) best = v;
    }
    return best;
  }

  /** Length of the longest stored prefix of `digits`, or -1 when none matches. */
  matchLength(digits: string, from = 0): number {
    let node = 0;
    let best = this.#val[0]! >= 0 ? 0 : -1;
    for (let i = from; i < digits.length; i++) {
      const b = this.#base[node]!;
      if (b < 0) break;
      const d = digits.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      node = this.#kids[b + d]!;
      if (node === 0) break;
      if (this.#val[node]! >= 0) best = i - from + 1;
    }
    return best;
  }

  #newNode(): number {
    if (this.#nodes === this.#base.length) {
      const cap = this.#base.length * 2;
      const base = new Int32Array(cap).fill(-1);
      base.set(this.#base);
      const val = new Int32Array(cap).fill(-1);
      val.set(this.#val);
      this.#base = base;
      this.#val = val;
    }
    return this.#nodes++;
  }

  #newBlock(node: number): number {
    if (this.#kidsUsed + 10 > this.#kids.length) {
      const kids = new Int32Array(Math.max(40, this.#kids.length * 2));
      kids.set(this.#kids);
      this.#kids = kids;
    }
    const b = this.#kidsUsed;
    this.#kidsUsed += 10;
    this.#base[node] = b;
    return b;
  }
}
