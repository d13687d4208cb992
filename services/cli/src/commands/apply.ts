// callctl apply -f FILE: validates a configuration file or folder with the schema of every service
// that owns top-level keys (errors name file, path and reason; nothing is stored on error), then
// stores it as one document in the KV bucket, which every service watches and swaps atomically.
import { resolve } from "node:path";
import { connectNats, putConfig, provision, readYamlConfig, validateConfig } from "@callctl/core";
import { routingConfigSchema } from "@callctl/routing";
import { tariffConfigSchema } from "@callctl/tariff";
import { type Command, parse, UsageError } from "../command.ts";

// One entry per service that owns configuration keys. Add a service's exported schema here.
const SCHEMAS = [
  { service: "routing", schema: routingConfigSchema },
  { service: "tariff", schema: tariffConfigSchema },
];

export const commands: Command[] = [
  {
    name: "apply",
    summary: "validate a configuration file/folder and store it in the KV bucket (services swap atomically)",
    usage: "callctl apply -f FILE|FOLDER [--dry-run]",
    async run(args, io) {
      const { values: v } = parse(args, { file: { type: "string", short: "f" }, "dry-run": { type: "boolean" } }, false);
      if (!v.file) throw new UsageError("-f FILE is required");
      const path = resolve(io.cwd, v.file);
      const { doc, origin } = readYamlConfig(path);
      for (const s of SCHEMAS) validateConfig(s.schema, doc, origin, path);
      const keys = Object.keys(doc).sort().join(", ");
      if (v["dry-run"]) {
        io.out(`valid (${SCHEMAS.map((s) => s.service).join(", ")}): ${keys}\n`);
        return 0;
      }
      const nc = await connectNats(io.env.NATS_URL ?? "nats://127.0.0.1:4222", "callctl-apply");
      try {
        const { kv } = await provision(nc);
        const revision = await putConfig(kv, doc, nc.info?.max_payload);
        io.out(`applied ${path}: revision ${revision} (${keys})\n`);
      } finally {
        await nc.close();
      }
      return 0;
    },
  },
];
