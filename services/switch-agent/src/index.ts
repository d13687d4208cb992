// @callctl/switch-agent: the call flow and the switch drivers.
export { newCall, step } from "./flow/callflow.ts";
export { isNetworkFailure, sipForQ850, dispositionOf, DRAIN_Q850 } from "./flow/causes.ts";
export { DEFAULT_FLOW_CONFIG, type CallState, type Command, type FlowEvent, type FlowConfig, type CallInfo } from "./flow/types.ts";
