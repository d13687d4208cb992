// Rendered bytes a call keeps for its life (its variable chunks), stored off the JS heap in a pool
// of 1 MB Buffers that is never given back: a freed block is reused by the next call, so its pages
// are faulted in once per process. On the heap, everything a call keeps is promoted to old space
// (a call lives 0.5-2 s, a scavenge runs every ~30 ms at 3,000 CPS), and each promoted KB costs a
// copy, a share of a fresh page's fault (~10 µs each on the reference VM) and later mark-sweep.
//
// A block is named by a handle (slab << 20 | offset, a small integer: no object per block) and
// sized in 256-byte steps up to 4 KB (larger renderings stay strings on the heap). A block freed
// during a loop turn is reused only after that turn: references to it may still sit in a session's
// pending output until the session's nextTick flush copies them into the socket's Buffer.

const SLAB_SHIFT = 20;
const SLAB_SIZE = 1 << SLAB_SHIFT;
const STEP_SHIFT = 8;
/** Largest block (bytes); a rendering longer than this is not stored here. */
export const SLAB_MAX = 4096;

const slabs: Buffer[] = [];
/** Bump pointer in the last slab. */
let top = SLAB_SIZE;
/** Free handles per size class (class = size / 256), most recently freed last (its pages are warm). */
const free: number[][] = [];
for (let c = 0; c <= SLAB_MAX >> STEP_SHIFT; c++) free.push([]);
/** Freed during this loop turn: back to `free` at setImmediate. */
let freedNow: number[] = [];
let freedLens: number[] = [];

function classOf(len: number): number {
  return (len + (1 << STEP_SHIFT) - 1) >> STEP_SHIFT;
}

/** A block of at least `len` (1..SLAB_MAX) bytes. */
function alloc(len: number): number {
  const c = classOf(len);
  const h = free[c]!.pop();
  if (h !== undefined) return h;
  const size = c << STEP_SHIFT;
  if (top + size > SLAB_SIZE) {
    slabs.push(Buffer.allocUnsafeSlow(SLAB_SIZE));
    top = 0;
  }
  const off = top;
  top += size;
  return ((slabs.length - 1) << SLAB_SHIFT) | off;
}

/** Copies `s` (UTF-8, `bytes` long, 1..SLAB_MAX) into a new block; returns its handle. */
export function store(s: string, bytes: number): number {
  const h = alloc(bytes);
  slabs[h >>> SLAB_SHIFT]!.write(s, h & (SLAB_SIZE - 1));
  return h;
}

/** Copies a block's first `len` bytes to `dst` at `at`; returns `len`. Valid until the block is released and the turn ends. */
export function copyOut(h: number, len: number, dst: Buffer, at: number): number {
  const off = h & (SLAB_SIZE - 1);
  return slabs[h >>> SLAB_SHIFT]!.copy(dst, at, off, off + len);
}

/** A copy of a block's first `len` bytes (for output that outlives the turn). */
export function copyOf(h: number, len: number): Buffer {
  const off = h & (SLAB_SIZE - 1);
  return Buffer.from(slabs[h >>> SLAB_SHIFT]!.subarray(off, off + len));
}

function recycle(): void {
  const hs = freedNow;
  const ls = freedLens;
  freedNow = [];
  freedLens = [];
  for (let i = 0; i < hs.length; i++) free[classOf(ls[i]!)]!.push(hs[i]!);
}

/** Gives back a block stored with `len` bytes (reusable from the next loop turn on). */
export function release(h: number, len: number): void {
  if (!freedNow.length) setImmediate(recycle);
  freedNow.push(h);
  freedLens.push(len);
}
