// callctl rate: dry-run rating of a call (billed seconds, amount incl. VAT); logic in @callctl/tariff.
import { dryRunRate } from "@callctl/tariff";
import { type Command, parse, UsageError } from "../command.ts";

export const commands: Command[] = [
  {
    name: "rate",
    summary: "billed seconds and amount of a call of S seconds starting at T (dry run)",
    usage: "callctl rate --brand B (--to E164 | --zone ZONE) --at T --seconds S [--product P] [--config PATH] [--json]",
    async run(args, io) {
      const { values: v } = parse(args, { brand: { type: "string" }, to: { type: "string" }, zone: { type: "string" }, at: { type: "string" }, seconds: { type: "string" }, product: { type: "string" }, config: { type: "string" }, json: { type: "boolean" } }, false);
      if (!v.brand || !(v.to || v.zone) || !v.at || v.seconds === undefined) throw new UsageError("--brand, --to (or --zone), --at and --seconds are required");
      if (!/^\d+$/.test(v.seconds)) throw new UsageError("--seconds must be a whole number");
      const r = dryRunRate({ brand: v.brand, to: v.to, zone: v.zone, at: v.at, product: v.product, config: v.config, seconds: Number(v.seconds) });
      if (v.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
      else io.out(`${r.brand} ${r.zone} ${r.tariff_id}: ${r.seconds} s -> billed ${r.billed_s} s (${r.increments}), ${r.amount} incl. VAT\n`);
      return 0;
    },
  },
];
