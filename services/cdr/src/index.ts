// @callctl/cdr: CDR assembly and rating, settlement, the CDR stream, the PostgreSQL billing sink,
// itemised bills, retention and privacy, reconciliation.
export { Assembler, type AssemblerOptions, type AssemblerStats } from "./assembler.ts";
export { addEvent, buildCdr, isComplete, isEnded, newCallState, CDR_SCHEMA_VERSION, type CallState, type BuildOptions } from "./assemble.ts";
export { billedSeconds, billableSeconds, billableStart, rate, vatPart, LEGAL_CHARGE_DELAY_MS, type Rated } from "./rating.ts";
export { settle, settlementAction, type Settlement, type SettleResult } from "./settlement.ts";
export { DEFAULT_TOPOLOGY, testTopology, ensureTestStreams, brandToken, type Topology } from "./topology.ts";
export { openIndex, indexGet, indexKey, type IndexEntry } from "./cdrindex.ts";
