// callctl bench setup --driver esl|ari --cps N --duration S [--hold-ms MS] [--window-s S] [--json]: call-setup benchmark.
import { parse, UsageError, type Command } from "../command.ts";

export const commands: Command[] = [
  {
    name: "bench setup",
    summary: "drive the switch simulator into a real agent: achieved CPS, decision latency, PDD, floor",
    usage: "callctl bench setup [--driver esl|ari] [--cps N] [--duration S] [--hold-ms MS] [--window-s S] [--json]",
    async run(args, io) {
      const { values } = parse(args, { driver: { type: "string", default: "esl" }, cps: { type: "string", default: "200" }, duration: { type: "string", default: "10" }, "hold-ms": { type: "string", default: "2000" }, "window-s": { type: "string", default: "5" }, json: { type: "boolean" } }, false);
      const driver = values.driver;
      if (driver !== "esl" && driver !== "ari") throw new UsageError("--driver must be esl or ari");
      const cps = Number(values.cps);
      const durationS = Number(values.duration);
      const holdMs = Number(values["hold-ms"]);
      const windowS = Number(values["window-s"]);
      if (!(cps > 0) || !(durationS > 0) || !(holdMs >= 0) || !(windowS > 0)) throw new UsageError("--cps, --duration, --hold-ms and --window-s must be positive numbers");
      const { runSetupBench } = await import("@callctl/switch-agent/bench");
      const r = await runSetupBench({ driver, cps, durationS, holdMs, windowS });
      if (values.json) io.out(`${JSON.stringify(r)}\n`);
      else io.out(`${r.driver}: ${r.calls} calls at ${r.cps_achieved} CPS (target ${r.cps_target}); decision p50 ${r.decision_us.p50_us} µs p99 ${r.decision_us.p99_us} µs; PDD p50 ${r.pdd_us.p50_us} µs; max concurrent ${r.max_concurrent}; NATS floor p50 ${r.floor.nats.p50_us} µs\n`);
      if (!values.json) for (const w of r.decision_windows) io.out(`  t=${w.t_s}s: ${w.decisions} decisions, p50 ${w.p50_us} µs p99 ${w.p99_us} µs, ${w.active} active, loop p99 ${w.loop_p99_ms} ms\n`);
      return 0;
    },
  },
];
