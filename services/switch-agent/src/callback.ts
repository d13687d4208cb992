// Callback conferencing (seed 000 §3.3): placeholder endpoint until callback lands.
import { pb, type callctl, startService, type Logger, type NatsConnection } from "@callctl/core";
import type { Tracer } from "@opentelemetry/api";
import type { Driver, IncomingCall } from "./driver.ts";
import type { CallRunner, Preset, RunnerDeps } from "./runner.ts";

export interface CallbackDeps {
  nc: NatsConnection;
  log: Logger;
  tracer: Tracer;
  node: string;
  driver: Driver;
  deps: RunnerDeps;
  isDraining: () => boolean;
  runCall: (call: IncomingCall, extra?: object, preset?: Preset) => CallRunner;
}

export async function startCallbacks(d: CallbackDeps) {
  return startService(d.nc, {
    name: `switch-agent-callback`, version: "0.1.0", queue: "switch-agent-callback",
    endpoints: [{
      name: "callback", subject: d.deps.subjects.callback, request: pb.CallbackRequest, reply: pb.CallbackReply,
      handle: (req: callctl.v1.ICallbackRequest) => ({ callId: req.callId ?? "", accepted: false, node: d.node, reject: { reason: "NOT_SUPPORTED", q850: 79 } }),
    }],
  }, { log: d.log, tracer: d.tracer });
}
