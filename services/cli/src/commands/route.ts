// callctl route: one routing decision against the YAML configuration, no service needed (dry run);
// logic in @callctl/routing.
import { resolve } from "node:path";
import { dryRun, formatDecision } from "@callctl/routing";
import { type Command, parse, UsageError } from "../command.ts";

export const commands: Command[] = [
  {
    name: "route",
    summary: "routing decision for a dialed string: brand, destination, zone, trunks or the reject (dry run)",
    usage: "callctl route <dialed> --cli <caller> [--product P] [--account A] [--at ISO-time] [--config PATH] [--json]",
    async run(args, io) {
      const { values: v, positionals } = parse(args, { cli: { type: "string" }, product: { type: "string" }, account: { type: "string" }, at: { type: "string" }, config: { type: "string" }, json: { type: "boolean" } });
      if (positionals.length !== 1) throw new UsageError("exactly one dialed string is required");
      let atMs: number | undefined;
      if (v.at !== undefined) {
        atMs = Date.parse(v.at);
        if (Number.isNaN(atMs)) throw new UsageError(`--at ${JSON.stringify(v.at)} is not an ISO time`);
      }
      const d = dryRun({ dialed: positionals[0]!, cli: v.cli ?? "", product: v.product, account: v.account, atMs, config: v.config ? resolve(io.cwd, v.config) : undefined });
      io.out(v.json ? `${JSON.stringify(d, null, 2)}\n` : formatDecision(d));
      return 0;
    },
  },
];
