// The generated protobuf code (scripts/gen-proto.mjs, from proto/callctl/v1). One import for all.
import { callctl } from "./gen/proto.js";

export const pb = callctl.v1;
export type { callctl } from "./gen/proto.js";
