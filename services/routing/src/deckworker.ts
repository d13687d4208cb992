// Worker thread of offthread.ts's full path (documents the byte scan of deckscan.ts does not
// take): parses, validates and compiles one configuration document's rate decks away from the
// thread that answers decisions. Replies with the validated document minus the raw rates (a
// million-entry object is most of a big deck's memory) and each deck as a packed trie whose
// buffers are transferred, not copied.
import { parentPort } from "node:worker_threads";
import { ConfigFileError, validateConfig } from "@callctl/core";
import { MAX_MICRO, routingConfigSchema } from "./config.ts";
import { type PackedArrays, type TrieBuild, triePack, trieMark, trieNew, trieStep } from "./deckscan.ts";

export interface DeckJob {
  input: string | Uint8Array; // the document as JSON text or UTF-8 bytes
  fallbackFile: string;
}

export type DeckReply = { ok: true; config: unknown; decks: [string, PackedArrays][] } | { ok: false; code: string; message: string; issues?: ConfigFileError["issues"] };

parentPort?.on("message", (job: DeckJob) => {
  try {
    const doc = JSON.parse(typeof job.input === "string" ? job.input : new TextDecoder().decode(job.input));
    const built = buildDecks(doc);
    const config = validateConfig(routingConfigSchema, doc, {}, job.fallbackFile);
    const decks: [string, PackedArrays][] = [];
    const transfer: ArrayBuffer[] = [];
    for (const [id, d] of Object.entries(config.rateDecks)) {
      const a = triePack(built?.get(id) ?? fromRates(d.rates));
      decks.push([id, a]);
      transfer.push(a.bits.buffer as ArrayBuffer, a.first.buffer as ArrayBuffer, a.val.buffer as ArrayBuffer);
      config.rateDecks[id] = { version: d.version, rates: {} };
    }
    parentPort!.postMessage({ ok: true, config, decks } satisfies DeckReply, transfer);
  } catch (err) {
    const e = err as Error & { code?: string };
    parentPort!.postMessage({ ok: false, code: e.code ?? "INTERNAL", message: e.message, issues: err instanceof ConfigFileError ? err.issues : undefined } satisfies DeckReply);
  }
});

/**
 * Validates and compiles every rate deck in one pass over its entries (the checks of config.ts's
 * rate loop), then replaces the document's rates by {} so that the schema does not walk a million
 * entries a second time. Any entry that would fail returns null and leaves the document alone: the
 * full schema then reports exactly the issues it always reports.
 */
function buildDecks(doc: unknown): Map<string, TrieBuild> | null {
  const rd = (doc as { rateDecks?: unknown } | null)?.rateDecks;
  if (typeof rd !== "object" || rd === null || Array.isArray(rd)) return null;
  const decks = rd as Record<string, { rates?: unknown }>;
  const out = new Map<string, TrieBuild>();
  for (const id of Object.keys(decks)) {
    const d = decks[id];
    if (typeof d !== "object" || d === null) return null;
    const rates = d.rates as Record<string, unknown>;
    if (typeof rates !== "object" || rates === null || Array.isArray(rates)) return null;
    const t = trieNew(1 << 16);
    for (const k in rates) {
      const v = rates[k];
      if (k.length > 15 || typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_MICRO || !isDigits(k)) return null;
      insert(t, k, v);
    }
    out.set(id, t);
  }
  for (const id of Object.keys(decks)) decks[id] = { ...decks[id], rates: {} };
  return out;
}

function insert(t: TrieBuild, key: string, v: number): void {
  let node = 0;
  for (let i = 0; i < key.length; i++) node = trieStep(t, node, key.charCodeAt(i) - 48);
  trieMark(t, node, v);
}

function fromRates(rates: Record<string, number>): TrieBuild {
  const t = trieNew(1024);
  for (const k in rates) insert(t, k, rates[k]!);
  return t;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
