// @callctl/switch-sim: FreeSWITCH (ESL) and Asterisk (ARI) simulators faithful to recorded traffic,
// the fixture readers and ESL frame parser shared with the drivers' tests, and a load generator.
export type {
  SimAttempt,
  SimCallHandle,
  SimCallResult,
  SimCallSpec,
  TrunkBehaviour,
} from "./types.ts";
export { resolveBehaviour } from "./types.ts";
export { AriSimulator, type AriSimulatorOptions } from "./ari/simulator.ts";
export { EslSimulator, type EslSimulatorOptions } from "./esl/simulator.ts";
export { type Transport, uvAvailable } from "./esl/transport.ts";
export {
  type EslCommand,
  EslCommandReader,
  type EslFrame,
  EslFrameReader,
  fsUrlDecode,
  fsUrlEncode,
  parseEslFrames,
} from "./esl/frames.ts";
export { causeFromSip, q850Of, sipFromCause } from "./esl/causes.ts";
export {
  type AriRecord,
  ariEvents,
  type EslChunk,
  type EslFixture,
  readAriFixture,
  readEslFixture,
} from "./fixtures.ts";
export { type LoadMix, type LoadOptions, type LoadReport, type LoadTarget, LoadGenerator } from "./load.ts";
