// callctl demo: the main job (see services/cli/src/demo/run.ts).
import { parse, UsageError, type Command } from "../command.ts";
import { runDemo } from "../demo/run.ts";

const posInt = (name: string, v: string | undefined, def: number | undefined, max: number): number | undefined => {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return Number(v);
};

export const commands: Command[] = [
  {
    name: "demo",
    summary: "the whole stack with a simulated switch and realistic traffic (Ctrl-C stops)",
    usage: "callctl demo [--driver esl|ari] [--calls N] [--cps R] [--seed S] [--hangup-during-announcement P] [--json]",
    async run(args, io) {
      const { values } = parse(args, { driver: { type: "string" }, calls: { type: "string" }, cps: { type: "string" }, seed: { type: "string" }, "hangup-during-announcement": { type: "string" }, json: { type: "boolean" } }, false);
      const driver = values.driver ?? "esl";
      if (driver !== "esl" && driver !== "ari") throw new UsageError("--driver must be esl or ari");
      const share = values["hangup-during-announcement"] ?? "0.05";
      if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(share)) throw new UsageError("--hangup-during-announcement must be a share from 0 to 1");
      return runDemo(
        { driver, calls: posInt("calls", values.calls, undefined, 10_000_000), cps: posInt("cps", values.cps, 20, 5000) as number, seed: posInt("seed", values.seed, 42, 2 ** 31) as number, json: Boolean(values.json), hangupDuringAnnouncement: Number(share) },
        io,
      );
    },
  },
];
