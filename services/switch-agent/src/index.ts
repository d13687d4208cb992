// @callctl/switch-agent: the call flow, the switch drivers and the agent that runs them.
export { startSwitchAgent, type SwitchAgent, type SwitchAgentOptions, type AgentStats } from "./agent.ts";
export { newCall, step } from "./flow/callflow.ts";
export { isNetworkFailure, sipForQ850, dispositionOf, DRAIN_Q850 } from "./flow/causes.ts";
export { DEFAULT_FLOW_CONFIG, type CallState, type Command, type FlowEvent, type FlowConfig, type CallInfo } from "./flow/types.ts";
export type { Driver, IncomingCall, SwitchCommand } from "./driver.ts";
export { nodeControl, formatNodeStatus } from "./node-control.ts";
