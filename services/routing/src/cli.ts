// What the CLI commands `callctl route` (dry run, no service needed) and `callctl blocks list`
// need from routing; the files in services/cli/src/commands are thin wrappers around these.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectNats, pb, request, SUBJECTS, type callctl } from "@callctl/core";
import { listBlocks } from "./blocks.ts";
import { loadRoutingTables } from "./tables.ts";
import { decisionToJson, Router } from "./router.ts";

/** The example configuration shipped in the repository (infra/config/example). */
export const EXAMPLE_CONFIG = join(dirname(fileURLToPath(import.meta.url)), "../../../infra/config/example");

export interface DryRunOptions {
  dialed: string;
  cli: string;
  product?: string;
  account?: string;
  /** Decision time (epoch ms): the trunk-health clock and the request's at_ms. */
  atMs?: number;
  config?: string;
}

/** One decision against a configuration file or folder, without NATS. */
export function dryRun(o: DryRunOptions): Record<string, unknown> {
  const tables = loadRoutingTables(o.config ?? EXAMPLE_CONFIG);
  const at = o.atMs ?? Date.now();
  const router = new Router({ tables, now: () => at });
  const d = router.decide({ callId: "dry-run", dialed: o.dialed, caller: o.cli, product: o.product ?? "", accountId: o.account ?? "", atMs: at, node: "cli" });
  return decisionToJson(d);
}

/** A decision for people: one line of outcome, then destination and candidates or the reason. */
export function formatDecision(j: Record<string, unknown>): string {
  const dest = j.destination as { e164: string; country: string; numberType: string; zone: string } | null;
  const lines = [`${j.outcome}  brand ${j.brand || "-"}  carrier code ${j.carrierCode || "-"}  product ${j.product || "-"}  account ${j.accountId || "-"}`];
  if (dest) lines.push(`destination +${dest.e164}  ${dest.country}  ${dest.numberType}  zone ${dest.zone || "-"}`);
  const cands = (j.candidates as { trunkId: string; gateway: string; dialNumber: string; costMicroPerMin: number; timeoutMs: number; health: string }[]) ?? [];
  cands.forEach((c, i) => {
    lines.push(`  ${i + 1}. ${c.trunkId.padEnd(14)} ${c.gateway.padEnd(18)} dial ${c.dialNumber.padEnd(16)} ${(c.costMicroPerMin / 10_000).toFixed(2)} ct/min  timeout ${c.timeoutMs} ms  ${c.health}`);
  });
  const r = j.reject as { reason: string; q850: number; announcement: string; detail: string } | null;
  if (r?.reason) lines.push(`reject ${r.reason}  Q.850 ${r.q850}  announcement ${r.announcement}  (${r.detail})`);
  lines.push(`config ${j.configVersion}`);
  return `${lines.join("\n")}\n`;
}

export interface BlocksListOptions {
  brand?: string;
  account?: string;
  /** Read the blocks from a configuration file/folder instead of asking the running service. */
  config?: string;
  natsUrl?: string;
  timeoutMs?: number;
}

/** The block list from a file (offline) or from the running service over NATS (callctl.route.blocks). */
export async function fetchBlocks(o: BlocksListOptions): Promise<{ blocks: callctl.v1.IBlockEntry[]; configVersion: string; source: string }> {
  if (o.config) {
    const t = loadRoutingTables(o.config);
    return { blocks: listBlocks(t, { brand: o.brand, accountId: o.account }), configVersion: t.version, source: o.config };
  }
  const url = o.natsUrl ?? "nats://127.0.0.1:4222";
  const nc = await connectNats(url, "callctl-blocks");
  try {
    const r = await request(nc, SUBJECTS.routeBlocks, pb.BlocksRequest, { callId: "cli", brand: o.brand ?? "", accountId: o.account ?? "" }, pb.BlocksList, { timeoutMs: o.timeoutMs ?? 2000 });
    return { blocks: r.blocks ?? [], configVersion: r.configVersion ?? "", source: `${url} ${SUBJECTS.routeBlocks}` };
  } finally {
    await nc.close();
  }
}

export function blocksToJson(blocks: callctl.v1.IBlockEntry[]): Record<string, unknown>[] {
  return blocks.map((b) => pb.BlockEntry.toObject(pb.BlockEntry.fromObject(b), { enums: String, defaults: true, arrays: true }));
}
