// `callctl node drain|undrain|status <node>` (seed 004 §5.2): one request on the node's control subject.
import { pb, request, SUBJECTS, type callctl, type NatsConnection } from "@callctl/core";

export async function nodeControl(nc: NatsConnection, node: string, action: "drain" | "undrain" | "status", timeoutMs = 2000): Promise<callctl.v1.INodeStatus> {
  return request(nc, SUBJECTS.nodeControl(node), pb.NodeControlRequest, { action }, pb.NodeStatus, { timeoutMs });
}

export function formatNodeStatus(s: callctl.v1.INodeStatus): string {
  const since = s.draining && s.sinceMs ? ` since ${new Date(Number(s.sinceMs)).toISOString()}` : "";
  return `${s.node}: ${s.draining ? `DRAINING${since}` : "accepting calls"}, ${s.activeCalls ?? 0} active, driver ${s.driver}, switch ${s.switchHealthy ? "healthy" : "UNHEALTHY"}, ${s.callsTotal ?? 0} calls, ${s.refusedDraining ?? 0} refused while draining\n`;
}
