// How long each prompt plays, for Quote.announcement_ms: from the generated set's manifest when it
// is there (infra/prompts/cache/de/manifest.json), else estimated from the text (espeak-ng's
// default 175 words/min is about 13 characters per second).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promptCatalog } from "./catalog.ts";

export const DEFAULT_PROMPT_DIR = fileURLToPath(new URL("../../../../infra/prompts/cache/de", import.meta.url));
export const promptDir = (): string => process.env.CALLCTL_PROMPT_DIR || DEFAULT_PROMPT_DIR;

export interface Manifest {
  voice: string;
  sample_rate: number;
  prompts: Record<string, { file: string; ms: number; text: string }>;
}

export function readManifest(dir = promptDir()): Manifest | undefined {
  const f = `${dir}/manifest.json`;
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, "utf8")) as Manifest;
}

let table: Map<string, number> | undefined;

export function estimateMs(text: string): number {
  return 150 + Math.round(text.length * 75);
}

function durations(): Map<string, number> {
  if (table) return table;
  const m = new Map<string, number>();
  const manifest = readManifest();
  for (const [id, text] of promptCatalog()) m.set(id, manifest?.prompts[id]?.ms ?? estimateMs(text));
  table = m;
  return m;
}

/** Expected play time of a playlist in ms. */
export function playlistMs(playlist: readonly string[]): number {
  const d = durations();
  let ms = 0;
  for (const id of playlist) ms += d.get(id) ?? 1000;
  return ms;
}
