// @callctl/routing: number plan, destination policy and least-cost routing (ARCHITECTURE.md).
export { routingConfigSchema, ZONE_IDS, NUMBER_TYPES, REGIONS, type RoutingConfig, type ZoneId, type NumberTypeName } from "./config.ts";
export { REJECT_REASONS, reasonInfo, reject, type RejectReason, type RejectReasonInfo } from "./reasons.ts";
export { parseDialed, normaliseCli, type ParsedDialed, type DialedKind } from "./dialed.ts";
export { classifyInternational, InternationalClassifier, zoneOf } from "./classify.ts";
export { NumberPlan } from "./numberplan.ts";
export { PrefixTable } from "./prefix.ts";
export { PackedPrefixTable } from "./packed.ts";
export { scanDocument, type PackedArrays, type ScanReply } from "./deckscan.ts";
export { isNetworkFailure, TrunkHealth, type BreakerState, type HealthOptions, type TrunkStatus } from "./health.ts";
export { compileOffThread, type DeckWorkerOptions } from "./offthread.ts";
export { compile, compileDeck, configVersion, loadRoutingTables, type Tables } from "./tables.ts";
export { Router, NotReadyError, decisionToJson } from "./router.ts";
export { listBlocks, formatBlocks } from "./blocks.ts";
export { startRouting, applyDocument, applyDocumentOffThread, consumeAttempts, type RoutingService, type RoutingDeps } from "./service.ts";
export { dryRun, formatDecision, fetchBlocks, blocksToJson, EXAMPLE_CONFIG, type DryRunOptions, type BlocksListOptions } from "./cli.ts";
