// Additions for the switch agent's tests (kept apart from api.ts, owned by the simulator's author):
// `sched_hangup` that remembers its task so that `sched_del <uuid>` can remove it, and
// `uuid_broadcast` for announcements into a running call. Reply forms follow FreeSWITCH 1.10's
// mod_commands (not recorded): sched_del → "+OK Deleted: <n>", uuid_broadcast → "+OK Message sent".
// A sched_hangup task's group is the channel uuid (switch_ivr_schedule_hangup), so sched_del <uuid>
// deletes every hangup scheduled on that channel.
import { randomUUID } from "node:crypto";
import { parseSchedHangup, playbackMs } from "./apps.ts";
import type { EslCall } from "./call.ts";

export interface ExtApiHost {
  calls: Map<string, EslCall>;
}

const tasks = new WeakMap<EslCall, Set<NodeJS.Timeout>>();

function live(h: ExtApiHost, uuid: string | undefined): EslCall | undefined {
  const c = uuid ? h.calls.get(uuid) : undefined;
  return c && !c.hungUp ? c : undefined;
}

/** Handles the commands above; undefined for every other command (api.ts answers those). */
export function runApiExt(h: ExtApiHost, cmd: string, argv: string[]): string | undefined {
  switch (cmd) {
    case "sched_hangup": {
      // sched_hangup [+]<time> <uuid> [<cause>]; the scheduler ticks once a second.
      const c = live(h, argv[1]);
      if (!c) return "-ERR No such channel!\n";
      const { secs, cause } = parseSchedHangup(`${argv[0] ?? "+0"} ${argv[2] ?? "ALLOTTED_TIMEOUT"}`);
      let set = tasks.get(c);
      if (!set) tasks.set(c, (set = new Set()));
      const own = set;
      const t = c.after(Math.max(0, secs * 1000 - (Date.now() % 1000)), () => {
        own.delete(t);
        if (c.hungUp) return;
        c.hangupBy = "switch";
        c.hangup(cause, true);
      });
      own.add(t);
      return "+OK\n";
    }
    case "sched_del": {
      if (!argv[0]) return "-ERR Invalid syntax\n";
      const c = h.calls.get(argv[0]);
      const set = c ? tasks.get(c) : undefined;
      const n = set?.size ?? 0;
      if (c && set) for (const t of set) c.clear(t);
      set?.clear();
      return `+OK Deleted: ${n}\n`;
    }
    case "uuid_broadcast": {
      // uuid_broadcast <uuid> <path> [aleg|bleg|both]: plays on the channel without stopping the bridge.
      const c = live(h, argv[0]);
      if (!c || !argv[1]) return c ? "-ERR Usage: uuid_broadcast <uuid> <path> [aleg|bleg|both]\n" : "-ERR No such channel!\n";
      const file = argv[1];
      const app = { name: "playback", data: file, uuid: randomUUID() };
      c.playbacks.push(file);
      c.emit("CHANNEL_EXECUTE", { app });
      c.after(playbackMs(file, c.host.defaultPlaybackMs), () => c.emit("CHANNEL_EXECUTE_COMPLETE", { app: { ...app, response: "FILE PLAYED" } }));
      return "+OK Message sent\n";
    }
    default:
      return undefined;
  }
}
