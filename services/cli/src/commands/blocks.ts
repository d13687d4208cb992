// callctl blocks list: every blocked number group in force (seed 001 §12.1), from the running
// routing service (callctl.route.blocks) or, with --config, from a configuration file.
import { resolve } from "node:path";
import { blocksToJson, fetchBlocks, formatBlocks } from "@callctl/routing";
import { type Command, parse } from "../command.ts";

export const commands: Command[] = [
  {
    name: "blocks list",
    summary: "list every block: global, brand, account, product and critical countries",
    usage: "callctl blocks list [--brand B] [--account A] [--config PATH] [--json]",
    async run(args, io) {
      const { values: v } = parse(args, { brand: { type: "string" }, account: { type: "string" }, config: { type: "string" }, json: { type: "boolean" } }, false);
      const r = await fetchBlocks({ brand: v.brand, account: v.account, config: v.config ? resolve(io.cwd, v.config) : undefined, natsUrl: io.env.NATS_URL });
      if (v.json) io.out(`${JSON.stringify({ configVersion: r.configVersion, source: r.source, blocks: blocksToJson(r.blocks) }, null, 2)}\n`);
      else io.out(`# ${r.blocks.length} blocks, config ${r.configVersion} (${r.source})\n${formatBlocks(r.blocks)}\n`);
      return 0;
    },
  },
];
