// Where the routing process's RSS goes before any rate deck (deck-load.ts reports it next to the
// 1M-deck figures): a bare node, node with the tsx loader (how every service runs: no build
// step), and deck-rss.ts bundled by esbuild into plain JavaScript (the same code without tsx:
// what a build step would save). Each in a fresh process; sizes in MB.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const rssOf = (args: string[]) => Math.round(Number(execFileSync(process.execPath, [...args, "--expose-gc", "-e", "gc(); process.stdout.write(String(process.memoryUsage().rss))"], { encoding: "utf8" })) / 1e6);

export async function rssParts(docFile: string, exampleFile: string): Promise<Record<string, unknown>> {
  const tsxLoader = join(import.meta.dirname, "../../../node_modules/tsx/dist/loader.mjs");
  const out: Record<string, unknown> = { node_mb: rssOf([]), node_with_tsx_mb: rssOf(["--import", `file://${tsxLoader}`]) };
  // esbuild comes with tsx (not a dependency of ours): resolved from tsx's package
  const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))("esbuild") as { build(options: Record<string, unknown>): Promise<unknown> };
  const dir = mkdtempSync(join(tmpdir(), "routing-rss-"));
  try {
    const file = join(dir, "deck-rss.mjs");
    await esbuild.build({
      entryPoints: [join(import.meta.dirname, "deck-rss.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: file,
      logLevel: "error",
      define: { "import.meta.dirname": JSON.stringify(import.meta.dirname) },
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    out.without_tsx = JSON.parse(execFileSync(process.execPath, ["--expose-gc", file, docFile, exampleFile], { encoding: "utf8" }));
  } catch (err) {
    out.without_tsx = `not measured: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
