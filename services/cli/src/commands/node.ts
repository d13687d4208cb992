// callctl node drain|undrain|status <node>: maintenance drain of a switch-agent node (seed 004 §5.2).
import { connectNats } from "@callctl/core";
import { formatNodeStatus, nodeControl } from "@callctl/switch-agent";
import { parse, UsageError, type Command } from "../command.ts";

const make = (action: "drain" | "undrain" | "status", summary: string): Command => ({
  name: `node ${action}`,
  summary,
  usage: `callctl node ${action} <node> [--json]`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: "boolean" } });
    const node = positionals[0];
    if (!node || !/^[A-Za-z0-9_.-]{1,64}$/.test(node)) throw new UsageError("node id required (A-Z a-z 0-9 _ . -)");
    const nc = await connectNats(io.env.NATS_URL ?? "nats://127.0.0.1:4222", "callctl-cli");
    try {
      const s = await nodeControl(nc, node, action);
      io.out(values.json ? `${JSON.stringify(s)}\n` : formatNodeStatus(s));
      return 0;
    } finally {
      await nc.close();
    }
  },
});

export const commands: Command[] = [
  make("drain", "stop taking new calls on a switch-agent node (running calls finish)"),
  make("undrain", "take new calls again"),
  make("status", "drain state and active calls of a switch-agent node"),
];
