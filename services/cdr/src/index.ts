// @callctl/cdr: CDR assembly and rating, settlement, the CDR stream, the PostgreSQL billing sink,
// itemised bills, retention and privacy, reconciliation.
export { Assembler, type AssemblerOptions, type AssemblerStats } from "./assembler.ts";
export { addEvent, buildCdr, isComplete, isEnded, newCallState, CDR_SCHEMA_VERSION, type CallState, type BuildOptions } from "./assemble.ts";
export { billedSeconds, billableSeconds, billableStart, rate, vatPart, LEGAL_CHARGE_DELAY_MS, type Rated } from "./rating.ts";
export { settle, settlementAction, type Settlement, type SettleResult } from "./settlement.ts";
export { DEFAULT_TOPOLOGY, testTopology, ensureTestStreams, brandToken, type Topology } from "./topology.ts";
export { openIndex, indexGet, indexKey, type IndexEntry } from "./cdrindex.ts";
export { Sink, type SinkOptions, type SinkStats } from "./sink/sink.ts";
export { migrate } from "./sink/migrate.ts";
export { itemisedBill, billCsv, eur2, eur4, type Bill, type BillLine } from "./sink/export.ts";
export { runRetention, markInvoiced, holdAdd, holdRelease, holdList, erase, shorten, HoldActiveError } from "./sink/privacy.ts";
export { shortenNumber } from "./sink/rows.ts";
export { reconcile, summarize, type ReconcileReport } from "./reconcile.ts";
export { cdrCommands, type CliCommand } from "./cli.ts";
