// Version 4 UUIDs as flat strings. crypto.randomUUID() builds its result by concatenation: a tree of
// ~30 cons strings per UUID, which every young GC copies object by object for as long as a call
// keeps it (a call keeps four). Here the text is written into a scratch Buffer and decoded once.
import { randomFillSync } from "node:crypto";

const POOL = 16 * 256;
const pool = Buffer.allocUnsafeSlow(POOL);
let used = POOL;
const scratch = Buffer.allocUnsafeSlow(256);
const HEX = Buffer.from("0123456789abcdef", "latin1");
/** Byte offsets of the 16 random bytes' hex pairs in `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
scratch[8] = scratch[13] = scratch[18] = scratch[23] = 0x2d;

/** A random (version 4, RFC 4122 variant) UUID, optionally followed by ASCII `suffix` (one flat string). */
export function newUuid(suffix = ""): string {
  if (used === POOL) {
    randomFillSync(pool);
    used = 0;
  }
  const o = used;
  used += 16;
  pool[o + 6] = (pool[o + 6]! & 0x0f) | 0x40;
  pool[o + 8] = (pool[o + 8]! & 0x3f) | 0x80;
  for (let i = 0; i < 16; i++) {
    const b = pool[o + i]!;
    const at = AT[i]!;
    scratch[at] = HEX[b >> 4]!;
    scratch[at + 1] = HEX[b & 15]!;
  }
  const n = suffix ? 36 + scratch.write(suffix, 36, "latin1") : 36;
  return scratch.toString("latin1", 0, n);
}
