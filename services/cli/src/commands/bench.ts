// callctl bench setup --driver esl|ari --cps N --duration S [--hold-ms MS] [--json]: call-setup benchmark.
import { parse, UsageError, type Command } from "../command.ts";

export const commands: Command[] = [
  {
    name: "bench setup",
    summary: "drive the switch simulator into a real agent: achieved CPS, decision latency, PDD, floor",
    usage: "callctl bench setup [--driver esl|ari] [--cps N] [--duration S] [--hold-ms MS] [--json]",
    async run(args, io) {
      const { values } = parse(args, { driver: { type: "string", default: "esl" }, cps: { type: "string", default: "200" }, duration: { type: "string", default: "10" }, "hold-ms": { type: "string", default: "2000" }, json: { type: "boolean" } }, false);
      const driver = values.driver;
      if (driver !== "esl" && driver !== "ari") throw new UsageError("--driver must be esl or ari");
      const cps = Number(values.cps);
      const durationS = Number(values.duration);
      const holdMs = Number(values["hold-ms"]);
      if (!(cps > 0) || !(durationS > 0) || !(holdMs >= 0)) throw new UsageError("--cps, --duration and --hold-ms must be positive numbers");
      const { runSetupBench } = await import("@callctl/switch-agent/bench");
      const r = await runSetupBench({ driver, cps, durationS, holdMs });
      if (values.json) io.out(`${JSON.stringify(r)}\n`);
      else io.out(`${r.driver}: ${r.calls} calls at ${r.cps_achieved} CPS (target ${r.cps_target}); decision p50 ${r.decision_us.p50_us} µs p99 ${r.decision_us.p99_us} µs; PDD p50 ${r.pdd_us.p50_us} µs; max concurrent ${r.max_concurrent}; NATS floor p50 ${r.floor.nats.p50_us} µs\n`);
      return 0;
    },
  },
];
