// The generated protobuf code (scripts/gen-proto.mjs, from proto/callctl/v1). One import for all.
// int64 fields (money in micro-euro, epoch ms) decode as plain JS numbers: every value on our
// wire is far below 2^53, and Long objects would leak into arithmetic and JSON. protobufjs picks
// up the `long` package when it can; switching it off here, before any message is decoded, makes
// reader.int64() return numbers everywhere.
import protobuf from "protobufjs/minimal.js";
import { callctl } from "./gen/proto.js";

protobuf.util.Long = undefined as never;
protobuf.configure();

export const pb = callctl.v1;
export type { callctl } from "./gen/proto.js";
