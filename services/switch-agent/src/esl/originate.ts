// Agent-originated legs on FreeSWITCH (callback, seed 000 §3.3): a per-call inbound ESL connection
// subscribes to the new channel (`myevents json <uuid>`, before the channel exists, so no event is
// missed), then `bgapi originate {origination_uuid=<uuid>,…}sofia/gateway/<gw>/<number> &park()`
// runs on the management connection. BACKGROUND_JOB says `+OK <uuid>` once the leg answered, or
// `-ERR <CAUSE>`. The answered, parked leg is then driven like an incoming call (EslCall).
import { randomUUID } from "node:crypto";
import type { Logger } from "@callctl/core";
import esl from "modesl";
import { OriginateFailedError, type OriginateSpec } from "../driver.ts";
import { safeName, safeNumber } from "../validate.ts";
import { EslCall } from "./call.ts";
import { q850OfCause } from "./translate.ts";
import { patchConnection, type EslConnection, type EslEvent } from "./wire.ts";

export interface EslOriginateDeps {
  mgmt: EslConnection;
  inbound: { host: string; port: number; password: string };
  promptDir: string;
  log: Logger;
  now?: () => number;
}

function connect(d: EslOriginateDeps): Promise<EslConnection> {
  const { host, port, password } = d.inbound;
  return new Promise((resolve, reject) => {
    const conn = new esl.Connection(host, port, password) as EslConnection;
    patchConnection(conn);
    conn.on("error", (err: never) => reject(err));
    conn.once("esl::ready", () => resolve(conn));
  });
}

export async function eslOriginate(d: EslOriginateDeps, spec: OriginateSpec): Promise<EslCall> {
  const uuid = randomUUID();
  const gw = safeName("gateway", spec.gateway);
  const number = safeNumber("originate number", spec.number);
  const vars = [`origination_uuid=${uuid}`, `originate_timeout=${Math.max(1, Math.ceil(spec.timeoutMs / 1000))}`, "ignore_early_media=true"];
  if (spec.callerId) vars.push(`origination_caller_id_number=${safeNumber("caller id", spec.callerId)}`);
  const conn = await connect(d);
  // Only this channel's events (and none of the switch-wide CHANNEL_EXECUTE_COMPLETEs modesl asked for).
  await new Promise<void>((r) => conn.sendRecv(`myevents json ${uuid}`, () => r()));
  const job = randomUUID();
  const body = await new Promise<string>((resolve) => {
    d.mgmt.once(`esl::event::BACKGROUND_JOB::${job}`, (ev: never) => resolve((ev as EslEvent).getBody()));
    d.mgmt.sendRecv(`bgapi originate {${vars.join(",")}}sofia/gateway/${gw}/${number} &park()`, { "Job-UUID": job }, () => {});
  });
  if (!body.startsWith("+OK")) {
    conn.socket?.destroy();
    const cause = body.replace(/^-ERR\s*/, "").trim() || "NORMAL_TEMPORARY_FAILURE";
    throw new OriginateFailedError(q850OfCause(cause), cause);
  }
  const info = { "Unique-ID": uuid, "Caller-Caller-ID-Number": number, "Caller-Destination-Number": number } as Record<string, string>;
  const ev: EslEvent = { getHeader: (k) => info[k] ?? null, getBody: () => "", headers: [] };
  conn.on("esl::end", () => conn.socket?.destroy());
  return new EslCall(conn, ev, { promptDir: d.promptDir, log: d.log, now: d.now });
}
