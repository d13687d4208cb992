// callctl quote: dry-run price quote and announcement from the YAML configuration (no service
// needed); logic in @callctl/tariff.
import { dryRunQuote } from "@callctl/tariff";
import { type Command, parse, UsageError } from "../command.ts";

export const commands: Command[] = [
  {
    name: "quote",
    summary: "price, increments, connect fee and the German announcement for a call (dry run)",
    usage: "callctl quote --brand 01097 (--to E164 | --zone ZONE) [--at ISO-time] [--product P] [--config PATH] [--json]",
    async run(args, io) {
      const { values: v } = parse(args, { brand: { type: "string" }, to: { type: "string" }, zone: { type: "string" }, at: { type: "string" }, product: { type: "string" }, config: { type: "string" }, json: { type: "boolean" } }, false);
      if (!v.brand || !(v.to || v.zone)) throw new UsageError("--brand and --to (or --zone) are required");
      const q = dryRunQuote({ brand: v.brand, to: v.to, zone: v.zone, at: v.at, product: v.product, config: v.config });
      if (v.json) io.out(`${JSON.stringify(q, null, 2)}\n`);
      else io.out(`${q.brand} ${q.zone} ${q.tariff_id}: ${Number(q.price_per_min_micro) / 10_000} ct/min, ${q.increments}, valid until ${q.valid_until ?? "-"}\n${q.announcement_text}\n${q.next_announcement_text ?? ""}\n`);
      return 0;
    },
  },
];
