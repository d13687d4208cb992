// Generates protobufjs static code + TypeScript typings from proto/callctl/v1/*.proto into
// services/core/src/gen/. Run by the bootstrap (install) step; the output is not committed.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const protoDir = join(root, "proto");
const outDir = join(root, "services/core/src/gen");
const bin = (n) => join(root, "node_modules/.bin", n);
const files = readdirSync(join(protoDir, "callctl/v1"))
  .filter((f) => f.endsWith(".proto"))
  .sort()
  .map((f) => join(protoDir, "callctl/v1", f));

mkdirSync(outDir, { recursive: true });
const js = join(outDir, "proto.js");
execFileSync(
  bin("pbjs"),
  ["-t", "static-module", "-w", "es6", "--force-number", "--no-verify", "--no-delimited", "-p", protoDir, "-o", js, ...files],
  { stdio: "inherit" },
);
// Node ESM needs the explicit file for the protobufjs subpath import.
writeFileSync(js, readFileSync(js, "utf8").replace(/from "protobufjs\/minimal"/g, 'from "protobufjs/minimal.js"'));
execFileSync(bin("pbts"), ["-o", join(outDir, "proto.d.ts"), js], { stdio: "inherit" });
console.log(`generated ${js} from ${files.length} proto files`);
