// `api` / `bgapi` commands the simulated FreeSWITCH understands (reply forms as recorded).
import { randomUUID } from "node:crypto";
import { resolveBehaviour, type TrunkBehaviour } from "../types.ts";
import { parseDialString, parseSchedHangup } from "./apps.ts";
import { runApiExt } from "./api-ext.ts";
import type { EslCall } from "./call.ts";
import { causeFromSip } from "./causes.ts";
import { own } from "./frames.ts";

export interface ApiHost {
  calls: Map<string, EslCall>;
  startedAt: number;
  sessionsSinceStart(): number;
  trunkFor(gw: string): TrunkBehaviour | undefined;
  scale(ms: number): number;
  /**
   * originate … &park(): the channel exists from the start (CHANNEL_CREATE), rings, is answered,
   * and is parked right after the reply, so others can control it with sendmsg/uuid_*.
   */
  originated(uuid: string, destination: string, callerNumber: string, gateway: string, vars: Record<string, string>): { ring(): void; answerAndPark(): void };
  /**
   * Runs `fn` once the command's reply is out (the session's apiDone), given what fires the
   * command's API event; on the next turn without it if the reply never goes (session gone).
   */
  afterReply(line: string, fn: (apiEvent?: () => void) => void): void;
}

function uptime(startedAt: number): string {
  let ms = Date.now() - startedAt;
  const parts: Array<[number, string]> = [];
  for (const [n, unit] of [
    [365 * 86400000, "years"],
    [86400000, "days"],
    [3600000, "hours"],
    [60000, "minutes"],
    [1000, "seconds"],
    [1, "milliseconds"],
  ] as Array<[number, string]>) {
    parts.push([Math.floor(ms / n), unit]);
    ms %= n;
  }
  return parts.map(([v, u]) => `${v} ${u}`).join(", ") + ", 0 microseconds";
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function originate(h: ApiHost, args: string): Promise<string> {
  const dial = args.split(/\s+/)[0] ?? "";
  const leg = parseDialString(dial).legs[0];
  const def = leg ? h.trunkFor(leg.gateway) : undefined;
  if (!leg || !def) return "-ERR INVALID_GATEWAY\n";
  const b = resolveBehaviour(def);
  const vars = parseDialString(dial).globals;
  const uuid = vars.origination_uuid ?? randomUUID();
  const timeout = Number(vars.originate_timeout ?? 60) * 1000;
  switch (b.kind) {
    case "answer": {
      if (b.afterMs > timeout) {
        await delay(h.scale(timeout));
        return "-ERR NO_ANSWER\n";
      }
      const ch = h.originated(uuid, leg.number, vars.origination_caller_id_number ?? "0000000000", leg.gateway, vars);
      // The far end's 180 (recorded ~20 ms after CHANNEL_CREATE), then its 200.
      const ring = Math.min(20, b.afterMs);
      await delay(h.scale(ring));
      ch.ring();
      await delay(h.scale(b.afterMs - ring));
      ch.answerAndPark();
      return `+OK ${uuid}\n`;
    }
    case "busy":
      await delay(h.scale(b.afterMs));
      return "-ERR USER_BUSY\n";
    case "fail":
      await delay(h.scale(b.afterMs));
      return `-ERR ${causeFromSip(b.sipCode)}\n`;
    case "noanswer":
      await delay(h.scale(timeout));
      return "-ERR NO_ANSWER\n";
    default:
      await delay(h.scale(Math.min(timeout, 32000)));
      return timeout < 32000 ? "-ERR NO_ANSWER\n" : "-ERR RECOVERY_ON_TIMER_EXPIRE\n";
  }
}

export async function runApi(h: ApiHost, line: string): Promise<string> {
  const sp = line.indexOf(" ");
  const cmd = sp < 0 ? line : line.slice(0, sp);
  const args = sp < 0 ? "" : line.slice(sp + 1).trim();
  const argv = args.split(/\s+/).filter(Boolean);
  const ext = runApiExt(h, cmd, argv);
  if (ext !== undefined) return ext;
  const live = (uuid: string | undefined) => {
    const c = uuid ? h.calls.get(uuid) : undefined;
    return c && !c.hungUp ? c : undefined;
  };
  switch (cmd) {
    case "status": {
      const n = [...h.calls.values()].filter((c) => !c.destroyed).length;
      return (
        `UP ${uptime(h.startedAt)}\nFreeSWITCH (Version 1.10.12-release  64bit) is ready\n` +
        `${h.sessionsSinceStart()} session(s) since startup\n${n} session(s) - peak ${n}, last 5min ${n} \n` +
        `0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n1000 session(s) max\nmin idle cpu 0.00/99.00\n` +
        `Current Stack Size/Max 240K/8192K\n`
      );
    }
    case "version":
      return "FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n";
    case "echo":
      return args;
    case "uuid_kill": {
      const c = live(argv[0]);
      if (!c) return "-ERR No such channel!\n";
      // Recorded: the +OK reply leaves first; then CHANNEL_HANGUP (the API thread hangs the channel
      // up), the command's API event, and the rest of the hangup from the channel's thread.
      h.afterReply(line, (apiEvent) => {
        if (c.hungUp) return apiEvent?.();
        c.hangupBy = "agent";
        c.hangup(argv[1] ?? "NORMAL_CLEARING", false, apiEvent);
      });
      return "+OK\n";
    }
    case "sched_hangup": {
      // sched_hangup [+]<time> <uuid> [<cause>]
      const c = live(argv[1]);
      if (!c) return "-ERR No such channel!\n";
      const { secs, cause } = parseSchedHangup(`${argv[0] ?? "+0"} ${argv[2] ?? "ALLOTTED_TIMEOUT"}`);
      c.schedHangup(secs, cause);
      return "+OK\n";
    }
    case "uuid_getvar": {
      const c = argv[0] ? h.calls.get(argv[0]) : undefined;
      if (!c) return "-ERR No such channel!\n";
      return c.ch.getVar(argv[1] ?? "") ?? "_undef_";
    }
    case "uuid_setvar": {
      const c = live(argv[0]);
      if (!c) return "-ERR No such channel!\n";
      c.ch.setVar(argv[1] ?? "", own(argv.slice(2).join(" ")) || undefined);
      return "+OK\n";
    }
    case "uuid_exists":
      return live(argv[0]) ? "true" : "false";
    case "uuid_answer": {
      const c = live(argv[0]);
      if (!c) return "-ERR No such channel!\n";
      c.markAnswered();
      return "+OK\n";
    }
    case "hupall":
      for (const c of h.calls.values()) {
        if (c.hungUp) continue;
        c.hangupBy = "agent";
        c.hangup(argv[0] ?? "MANAGER_REQUEST", false);
      }
      return "+OK hangup all channels with cause " + (argv[0] ?? "MANAGER_REQUEST") + "\n";
    case "global_getvar":
      return "-ERR no reply\n";
    case "originate":
      return originate(h, args);
    case "show":
      if (argv[0] === "calls" && argv[1] === "count") {
        return `\n${[...h.calls.values()].filter((c) => !c.hungUp).length} total.\n\n`;
      }
      return "\n0 total.\n\n";
    default:
      return `-ERR ${cmd} Command not found!\n`;
  }
}
