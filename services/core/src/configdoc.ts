// The configuration document: YAML files applied with `callctl apply -f`, stored in the KV bucket
// `callctl-config`, watched by every service. One loader, one schema style (zod): a bad file is
// refused with the file, the path inside it and the reason; nothing is stored.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { KV } from "@nats-io/kv";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { CallctlError } from "./errors.ts";

export const CONFIG_KEY = "config";

export interface ConfigIssue {
  file: string;
  path: string;
  reason: string;
}

export class ConfigFileError extends CallctlError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super("CONFIG_INVALID", issues.map((i) => `${i.file}: ${i.path || "(root)"}: ${i.reason}`).join("\n"), { details: { file: issues[0]?.file ?? "" } });
    this.issues = issues;
  }
}

/**
 * Reads a YAML file, or every *.yaml/*.yml file in a folder merged key by key (top-level keys
 * must not repeat across files), and returns the raw object with the file each key came from.
 */
export function readYamlConfig(path: string): { doc: Record<string, unknown>; origin: Record<string, string> } {
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f))
    : [path];
  const doc: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const file of files) {
    const parsed = parseDocument(readFileSync(file, "utf8"), { uniqueKeys: true });
    if (parsed.errors.length) throw new ConfigFileError(parsed.errors.map((e) => ({ file, path: "", reason: e.message.split("\n")[0] ?? "YAML syntax error" })));
    const value = parsed.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) throw new ConfigFileError([{ file, path: "", reason: "the top level must be a mapping" }]);
    for (const [k, v] of Object.entries(value)) {
      if (k in doc) throw new ConfigFileError([{ file, path: k, reason: `also defined in ${origin[k]}` }]);
      doc[k] = v;
      origin[k] = file;
    }
  }
  return { doc, origin };
}

/** Validates a raw document with a zod schema; issues name file, path and reason. */
export function validateConfig<S extends z.ZodType>(schema: S, doc: unknown, origin: Record<string, string> = {}, fallbackFile = "(config)"): z.output<S> {
  const r = schema.safeParse(doc);
  if (r.success) return r.data;
  throw new ConfigFileError(
    r.error.issues.map((i) => {
      const top = String(i.path[0] ?? "");
      return { file: origin[top] ?? fallbackFile, path: i.path.map(String).join("."), reason: i.message };
    }),
  );
}

export function loadConfigFile<S extends z.ZodType>(schema: S, path: string): z.output<S> {
  const { doc, origin } = readYamlConfig(path);
  return validateConfig(schema, doc, origin, path);
}

/** The document does not fit one NATS message (the server's max_payload): nothing was stored. */
export class ConfigTooLargeError extends CallctlError {
  constructor(bytes: number, maxPayload: number) {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    super("CONFIG_TOO_LARGE", `the configuration document is ${mb(bytes)}, the NATS server takes at most ${mb(maxPayload)} per message (max_payload); raise max_payload on the server (k8s/nats.yaml and infra/local/runtime.sh use 32 MB) — nothing was stored`, { details: { bytes: String(bytes), max_payload: String(maxPayload) } });
  }
}

// room for the KV put's headers and the protocol line
const KV_OVERHEAD = 4096;

/**
 * Stores a validated document as one KV value: readers always see a whole document, never half.
 * With `maxPayload` (the server's, from `nc.info.max_payload`) a document that cannot fit is
 * refused with ConfigTooLargeError before anything is sent.
 */
export async function putConfig(kv: KV, doc: unknown, maxPayload?: number): Promise<number> {
  const bytes = new TextEncoder().encode(JSON.stringify(doc));
  if (maxPayload !== undefined && bytes.length + KV_OVERHEAD > maxPayload) throw new ConfigTooLargeError(bytes.length, maxPayload);
  return kv.put(CONFIG_KEY, bytes);
}

export async function getConfig(kv: KV): Promise<unknown | undefined> {
  const e = await kv.get(CONFIG_KEY);
  return e && e.operation === "PUT" ? JSON.parse(e.string()) : undefined;
}

/**
 * Calls `onDoc` with the current document and with every later one. The callback builds new
 * in-memory tables and swaps a single reference, so no request ever sees half a table.
 */
export async function watchConfig(kv: KV, onDoc: (doc: unknown, revision: number) => void | Promise<void>, onError?: (err: unknown) => void): Promise<{ stop: () => void }> {
  const it = await kv.watch({ key: CONFIG_KEY });
  (async () => {
    for await (const e of it) {
      if (e.operation !== "PUT") continue;
      try {
        await onDoc(JSON.parse(e.string()), e.revision);
      } catch (err) {
        onError?.(err);
      }
    }
  })().catch((err) => onError?.(err));
  return { stop: () => it.stop() };
}
