// Compiling a configuration document without stalling decisions: JSON parse, validation and the
// rate-deck tries (the expensive part of a 1,000,000-prefix deck) run in a worker thread; the
// tries come back as transferred typed arrays (no copy) and only the small tables are built here.
// The returned Tables are the same as compile()'s except that `config.rateDecks[*].rates` is
// empty: the raw rates are dropped once compiled (they are most of a big deck's memory).
import { Worker } from "node:worker_threads";
import { CallctlError, ConfigFileError } from "@callctl/core";
import type { RoutingConfig } from "./config.ts";
import type { DeckJob, DeckReply } from "./deckworker.ts";
import { PrefixTable } from "./prefix.ts";
import { compile, type Tables } from "./tables.ts";

/** Parses, validates and compiles `input` (JSON text or UTF-8 bytes) off this thread. Rejects with ConfigFileError for a bad document. */
export async function compileOffThread(input: string | Uint8Array, revision?: number, fallbackFile = revision === undefined ? "(config)" : `kv:callctl-config/config@${revision}`): Promise<Tables> {
  const reply = await runWorker({ input, fallbackFile });
  if (!reply.ok) {
    if (reply.issues) throw new ConfigFileError(reply.issues);
    throw new CallctlError(reply.code === "CONFIG_INVALID" ? "CONFIG_INVALID" : "INTERNAL", reply.message);
  }
  const decks = new Map<string, PrefixTable>();
  for (const [id, a] of reply.decks) decks.set(id, PrefixTable.fromArrays(a));
  return compile(reply.config as RoutingConfig, revision, decks);
}

// the worker runs TypeScript like this thread does (no build step): register tsx there, then load it
const BOOT = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => m.register()).then(() => import(${JSON.stringify(new URL("./deckworker.ts", import.meta.url).href)}))`;

function runWorker(job: DeckJob): Promise<DeckReply> {
  return new Promise((resolve, reject) => {
    // one worker per document: a swap is rare, and its heap (the parsed document) goes with it
    const w = new Worker(BOOT, { eval: true });
    let done = false;
    w.once("message", (r: DeckReply) => {
      done = true;
      resolve(r);
      void w.terminate();
    });
    w.once("error", (err) => {
      done = true;
      reject(err);
    });
    w.once("exit", (code) => {
      if (!done) reject(new CallctlError("INTERNAL", `rate-deck worker exited with code ${code}`));
    });
    // bytes are copied once into their own buffer (a Buffer or a received message may share its
    // buffer with other data; Buffer#slice would not copy) and that copy is moved
    if (typeof job.input === "string") w.postMessage(job);
    else {
      const bytes = new Uint8Array(job.input);
      w.postMessage({ ...job, input: bytes }, [bytes.buffer as ArrayBuffer]);
    }
  });
}
