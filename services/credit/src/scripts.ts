// The Lua scripts: every change to money is one atomic script (EVALSHA; ioredis reloads a script
// a restarted Redis no longer knows). The shared prelude is prepended to each.
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

const dir = new URL("./lua/", import.meta.url);
const common = readFileSync(new URL("common.lua", dir), "utf8");
const NAMES = { authorize: "ccAuthorize", extend: "ccExtend", commit: "ccCommit", release: "ccRelease", admin: "ccAdmin", adgrant: "ccAdgrant" } as const;
export type ScriptName = keyof typeof NAMES;

type Reply = (string | number)[];
type ScriptFn = (...args: (string | number)[]) => Promise<Reply>;

const defined = new WeakSet<Redis>();

/** Registers the scripts on a client once; returns a caller that takes ARGV (after the prefix). */
export function scripts(redis: Redis): (name: ScriptName, argv: (string | number)[]) => Promise<Reply> {
  if (!defined.has(redis)) {
    for (const [file, cmd] of Object.entries(NAMES)) {
      redis.defineCommand(cmd, { numberOfKeys: 0, lua: `${common}\n${readFileSync(new URL(`${file}.lua`, dir), "utf8")}` });
    }
    defined.add(redis);
  }
  const r = redis as unknown as Record<string, ScriptFn>;
  return (name, argv) => (r[NAMES[name]] as ScriptFn).call(redis, ...argv);
}

/** Runs several scripts in one pipeline (scripts() must have registered them on `redis`). */
export async function pipelined(redis: Redis, calls: [ScriptName, (string | number)[]][]): Promise<[Error | null, unknown][]> {
  scripts(redis);
  const p = redis.pipeline() as unknown as Record<string, (...args: (string | number)[]) => unknown> & { exec(): Promise<[Error | null, unknown][] | null> };
  for (const [name, argv] of calls) (p[NAMES[name]] as (...a: (string | number)[]) => unknown).call(p, ...argv);
  return (await p.exec()) ?? [];
}
