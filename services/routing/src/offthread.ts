// Compiling a configuration document without stalling decisions. The deck worker (scanworker.ts:
// one per process, kept between documents, built from the source text of deckscan.ts's
// self-contained functions) scans the document's bytes, compiles every
// rate deck into a packed trie and returns the arrays (transferred, not copied) plus the document
// with the rates replaced by {}, which this thread parses and validates (a few kB) and compiles
// into the small tables. A document the scan does not take (see deckscan.ts) goes to the full
// path: JSON.parse and the schema in a TypeScript worker (deckworker.ts), same issues as
// validateConfig. The returned Tables are compile()'s except that `config.rateDecks[*].rates` is
// empty: the raw rates are not kept.
import { CallctlError, ConfigFileError, validateConfig } from "@callctl/core";
import { MAX_MICRO, routingConfigSchema, type RoutingConfig } from "./config.ts";
import type { DeckJob, DeckReply } from "./deckworker.ts";
import { PackedPrefixTable } from "./packed.ts";
import { runInWorker, scanOffThread } from "./scanworker.ts";
import { compile, type Tables } from "./tables.ts";

/**
 * Parses, validates and compiles `input` (JSON text or UTF-8 bytes) off this thread. Rejects with
 * ConfigFileError for a bad document. Bytes are copied (in 1 MB steps, decisions may run between
 * them) into a shared buffer that the worker allocated and touched (so the page faults of 16 MB of
 * fresh memory, 3-4 ms per MB on a VM, fall on the worker's thread, not on the decisions'), unless
 * `transfer` is set and the Uint8Array spans its whole buffer: then that buffer is moved and the
 * caller's view detached.
 */
export async function compileOffThread(input: string | Uint8Array, revision?: number, fallbackFile = revision === undefined ? "(config)" : `kv:callctl-config/config@${revision}`, transfer = false, opts: DeckWorkerOptions = {}): Promise<Tables> {
  if (typeof input !== "string" && input.byteLength === 0) input = new Uint8Array(0); // nothing to share: the scan refuses it
  const own = typeof input === "string" || (transfer && ownsBuffer(input));
  const idle = opts.idle !== false && process.platform === "linux";
  const fast = await scanOffThread({ maxMicro: MAX_MICRO, idle, idleDeadlineMs: opts.idleDeadlineMs ?? IDLE_DEADLINE_MS }, input, !own, opts.fresh);
  if (fast.ok) {
    const { skeleton, decksAt, decksLength } = fast;
    const outside = decksAt < 0 ? skeleton : `${skeleton.slice(0, decksAt)}\u0000${skeleton.slice(decksAt + decksLength)}`;
    const prev = last?.outside === outside ? last : undefined;
    let config = prev && decksAt >= 0 ? withDecks(prev.config, skeleton.slice(decksAt, decksAt + decksLength)) : undefined;
    if (!config) {
      // the worker has parsed the skeleton once, so this parse succeeds
      const doc: unknown = JSON.parse(skeleton);
      await new Promise((r) => setImmediate(r)); // decisions due meanwhile go first (~1 ms each step)
      config = validateConfig(routingConfigSchema, doc, {}, fallbackFile);
    }
    await new Promise((r) => setImmediate(r));
    const decks = new Map<string, PackedPrefixTable>();
    for (const [id, a] of fast.decks) decks.set(id, new PackedPrefixTable(a));
    const tables = compile(config, revision, decks, prev);
    last = { outside, config, plan: tables.plan };
    return tables;
  }
  // the scan did not take the document: it sent the bytes back for the full path
  // (the scan's worker hands the bytes back on every refusal: its own buffer, or the shared one)
  if (fast.input === undefined) throw new CallctlError("INTERNAL", "rate-deck worker refused the document without handing it back");
  const reply = await runInWorker<DeckReply>(tsxSource(), { fallbackFile, input: fast.input } satisfies DeckJob);
  if (!reply.ok) {
    if (reply.issues) throw new ConfigFileError(reply.issues);
    throw new CallctlError(reply.code === "CONFIG_INVALID" ? "CONFIG_INVALID" : "INTERNAL", reply.message);
  }
  const decks = new Map<string, PackedPrefixTable>();
  for (const [id, a] of reply.decks) decks.set(id, new PackedPrefixTable(a));
  return compile(reply.config as RoutingConfig, revision, decks);
}

// The last document compiled here, by its text outside the rates decks. A deck update changes only
// rates and deck versions: then the rest is not parsed and validated again (1-3 ms on the decision
// thread, ~20 ms when that code has gone cold between swaps) and its tables are reused.
// (Only the configuration and the number plan are kept: never a deck.)
let last: { outside: string; config: RoutingConfig; plan: Tables["plan"] } | undefined;

/**
 * The previous validated configuration with new rate decks, when they are what the schema would
 * accept given the unchanged rest: the same deck ids (so every trunk's rateDeck still exists),
 * each exactly { version: non-empty string, rates: {} } (the scan checked every rate). Otherwise
 * undefined, and the whole document is validated.
 */
function withDecks(prev: RoutingConfig, decksText: string): RoutingConfig | undefined {
  const rd = JSON.parse(decksText) as unknown;
  if (typeof rd !== "object" || rd === null || Array.isArray(rd)) return undefined;
  const ids = Object.keys(rd);
  if (ids.length !== Object.keys(prev.rateDecks).length) return undefined;
  for (const id of ids) {
    if (!Object.hasOwn(prev.rateDecks, id)) return undefined;
    const d = (rd as Record<string, unknown>)[id] as { version?: unknown; rates?: unknown } | null;
    if (typeof d !== "object" || d === null || Array.isArray(d) || Object.keys(d).length !== 2) return undefined;
    if (typeof d.version !== "string" || d.version.length === 0) return undefined;
    if (typeof d.rates !== "object" || d.rates === null || Array.isArray(d.rates) || Object.keys(d.rates).length > 0) return undefined;
  }
  return { ...prev, rateDecks: rd as RoutingConfig["rateDecks"] };
}

const ownsBuffer = (b: Uint8Array) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer);

// After how long a scan still under SCHED_IDLE goes back to the normal policy (scanworker.ts).
const IDLE_DEADLINE_MS = 2000;

export interface DeckWorkerOptions {
  /** Run the deck scan under SCHED_IDLE (default true; false: nice 10 only). */
  idle?: boolean;
  /** After how long a scan still running leaves SCHED_IDLE (default IDLE_DEADLINE_MS). */
  idleDeadlineMs?: number;
  /** A worker of its own for this document instead of the process's deck worker (for comparisons). */
  fresh?: boolean;
}

// the full path runs TypeScript like this thread does (no build step): register tsx there first
// (resolved only when needed, so the module also loads where tsx is not installed)
const tsxSource = () => `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => m.register()).then(() => import(${JSON.stringify(new URL("./deckworker.ts", import.meta.url).href)}))`;

