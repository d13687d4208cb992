// Generates the German prompt set from text with espeak-ng (German voice) into 8 kHz mono 16-bit
// WAV files, one per prompt id (<dir>/<id>.wav, e.g. num/39.wav, reject/no_credit.wav), plus
// manifest.json with each prompt's text and length. Cached: a prompt whose text, voice and file
// are unchanged is not generated again, so a second run does nothing.
//   node --import tsx services/tariff/src/prompts/generate.ts [--out DIR] [--check]
// --check exits 0 when the set is complete and current, 1 when something must be generated.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { promptCatalog } from "./catalog.ts";
import { type Manifest, promptDir, readManifest } from "./durations.ts";
import { parseWav, resample, trimSilence, writeWav } from "./wav.ts";

const run = promisify(execFile);
export const VOICE = "de";
export const SPEED_WPM = 160;
export const SAMPLE_RATE = 8000;
const VERSION = `espeak-ng:${VOICE}:${SPEED_WPM}:${SAMPLE_RATE}:1`;

const hash = (text: string) => createHash("sha1").update(`${VERSION}\n${text}`).digest("hex").slice(0, 16);

type Entry = Manifest["prompts"][string] & { hash?: string };

/** Prompt ids whose file is missing or whose text/voice changed. */
export function stale(dir: string): string[] {
  const m = readManifest(dir);
  const out: string[] = [];
  for (const [id, text] of promptCatalog()) {
    const e = m?.prompts[id] as Entry | undefined;
    if (!e || e.hash !== hash(text) || !existsSync(join(dir, e.file))) out.push(id);
  }
  return out;
}

export async function synthesize(text: string): Promise<{ wav: Buffer; ms: number }> {
  const { stdout } = await run("espeak-ng", ["-v", VOICE, "-s", String(SPEED_WPM), "--stdout", text], { encoding: "buffer", maxBuffer: 64 << 20 });
  const pcm = parseWav(stdout);
  const samples = trimSilence(resample(pcm.samples, pcm.sampleRate, SAMPLE_RATE), 150, 480);
  return { wav: writeWav(samples, SAMPLE_RATE), ms: Math.round((samples.length * 1000) / SAMPLE_RATE) };
}

export async function generate(dir: string, log: (s: string) => void = () => {}): Promise<number> {
  const todo = stale(dir);
  if (todo.length === 0) return 0;
  const catalog = promptCatalog();
  const prev = readManifest(dir);
  const prompts: Record<string, Entry> = { ...(prev?.prompts ?? {}) };
  for (const id of Object.keys(prompts)) if (!catalog.has(id)) delete prompts[id];
  log(`prompts: generating ${todo.length} of ${catalog.size} prompts into ${dir}`);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const id = todo[next++]!;
      const text = catalog.get(id)!;
      const { wav, ms } = await synthesize(text);
      const file = `${id}.wav`;
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), wav);
      prompts[id] = { file, ms, text, hash: hash(text) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(8, availableParallelism())) }, worker));
  const manifest: Manifest = { voice: `espeak-ng ${VOICE}`, sample_rate: SAMPLE_RATE, prompts };
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 1)}\n`);
  return todo.length;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/services\//, "services/"))) {
  const args = process.argv.slice(2);
  const oi = args.indexOf("--out");
  const dir = oi >= 0 && args[oi + 1] ? args[oi + 1]! : promptDir();
  mkdirSync(dir, { recursive: true });
  if (args.includes("--check")) {
    process.exit(stale(dir).length === 0 ? 0 : 1);
  }
  generate(dir, (s) => process.stderr.write(`${s}\n`)).then(
    (n) => process.stderr.write(`prompts: ${n === 0 ? "up to date" : `${n} generated`} (${dir})\n`),
    (err) => {
      process.stderr.write(`prompts: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
