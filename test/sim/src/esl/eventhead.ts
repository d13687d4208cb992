// The event header block (Event-Name … Event-Sequence) with the calling-site values recorded
// from FreeSWITCH 1.10.12, and a cached plain rendering of it.
import type { SwitchInfo } from "./channel.ts";
import { fsUrlEncode } from "./frames.ts";

type Pairs = Array<[string, string]>;

const CALLING: Record<string, [string, string, number]> = {
  CHANNEL_DATA: ["mod_event_socket.c", "parse_command", 2021],
  CHANNEL_ANSWER: ["switch_channel.c", "switch_channel_perform_mark_answered", 3846],
  CHANNEL_BRIDGE: ["switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1689],
  CHANNEL_UNBRIDGE: ["switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1879],
  CHANNEL_EXECUTE: ["switch_core_session.c", "switch_core_session_exec", 2944],
  CHANNEL_EXECUTE_COMPLETE: ["switch_core_session.c", "switch_core_session_exec", 2967],
  CHANNEL_HANGUP: ["switch_channel.c", "switch_channel_perform_hangup", 3445],
  CHANNEL_HANGUP_COMPLETE: ["switch_core_state_machine.c", "switch_core_session_reporting_state", 943],
  CHANNEL_PARK: ["switch_ivr.c", "switch_ivr_park", 1002],
  CHANNEL_UNPARK: ["switch_ivr.c", "switch_ivr_park", 1213],
  CHANNEL_PROGRESS: ["switch_channel.c", "switch_channel_perform_mark_ring_ready_value", 3505],
  CHANNEL_PROGRESS_MEDIA: ["switch_channel.c", "switch_channel_perform_mark_pre_answered", 3560],
  CHANNEL_STATE: ["switch_channel.c", "switch_channel_perform_set_running_state", 2408],
  CHANNEL_OUTGOING: ["switch_core_session.c", "switch_core_session_outgoing_channel", 768],
  CHANNEL_ORIGINATE: ["switch_core_state_machine.c", "switch_core_session_run", 632],
  CHANNEL_CALLSTATE: ["switch_channel.c", "switch_channel_perform_set_callstate", 301],
  CODEC: ["switch_core_codec.c", "switch_core_session_set_real_read_codec", 168],
  CALL_UPDATE: ["switch_channel.c", "switch_channel_flip_cid", 3277],
  API: ["switch_loadable_module.c", "switch_api_execute", 2954],
  CHANNEL_DESTROY: ["switch_core_session.c", "switch_core_session_perform_destroy", 1584],
};


function pad(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

let dateSec = -1;
let dateLocal = "";
let dateGmt = "";
/** The two date headers of the current second, rendered for `plain`. */
let datesPlain = "";
/** The same two headers as JSON members. */
let datesJson = "";
let datesAscii = true;

function dates(nowMs: number): [string, string] {
  const sec = Math.floor(nowMs / 1000);
  if (sec !== dateSec) {
    const d = new Date(nowMs);
    dateSec = sec;
    dateLocal =
      d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    dateGmt = d.toUTCString();
    datesPlain = "Event-Date-Local: " + fsUrlEncode(dateLocal) + "\nEvent-Date-GMT: " + fsUrlEncode(dateGmt) + "\n";
    datesJson = ',"Event-Date-Local":' + JSON.stringify(dateLocal) + ',"Event-Date-GMT":' + JSON.stringify(dateGmt);
    datesAscii = Buffer.byteLength(datesJson) === datesJson.length;
  }
  return [dateLocal, dateGmt];
}

/** Per core uuid, then event name (two lookups by existing strings: no key concatenated per event). */
function cacheFor<T>(caches: Map<string, Map<string, T>>, coreUuid: string): Map<string, T> {
  let m = caches.get(coreUuid);
  if (!m) caches.set(coreUuid, (m = new Map()));
  return m;
}

const plainHeadCache = new Map<string, Map<string, string>>();

/** The event header block rendered for `plain`, with the static part cached per event name. */
export function plainHead(sw: SwitchInfo, name: string): string {
  const now = Date.now();
  dates(now);
  const cache = cacheFor(plainHeadCache, sw.coreUuid);
  let pre = cache.get(name);
  if (pre === undefined) {
    pre = "";
    for (const [k, v] of eventHead(sw, name).slice(0, 6)) pre += k + ": " + fsUrlEncode(v) + "\n";
    cache.set(name, pre);
  }
  const c = CALLING[name] ?? ["mod_event_socket.c", "api_exec", 1572];
  return (
    pre +
    datesPlain +
    "Event-Date-Timestamp: " + (now * 1000 + Math.floor(Math.random() * 1000)) +
    "\nEvent-Calling-File: " + c[0] +
    "\nEvent-Calling-Function: " + c[1] +
    "\nEvent-Calling-Line-Number: " + c[2] +
    "\nEvent-Sequence: " + sw.nextSeq() + "\n"
  );
}

const jsonHeadCache = new Map<string, Map<string, [pre: string, calling: string, ascii: boolean]>>();

/** Whether the last jsonHead result is ASCII (its length is its UTF-8 byte count). */
export let jsonHeadAscii = true;

/** The event header block as JSON members (`"k":"v",…`, no braces), static parts cached per event name. */
export function jsonHead(sw: SwitchInfo, name: string): string {
  const now = Date.now();
  dates(now);
  const cache = cacheFor(jsonHeadCache, sw.coreUuid);
  let c = cache.get(name);
  if (c === undefined) {
    const j = JSON.stringify;
    const pre: Pairs = [
      ["Event-Name", name],
      ["Core-UUID", sw.coreUuid],
      ["FreeSWITCH-Hostname", sw.hostname],
      ["FreeSWITCH-Switchname", sw.hostname],
      ["FreeSWITCH-IPv4", "192.0.2.2"],
      ["FreeSWITCH-IPv6", "fd00::2"],
    ];
    const at = CALLING[name] ?? ["mod_event_socket.c", "api_exec", 1572];
    const p0 = pre.map(([k, v]) => j(k) + ":" + j(v)).join(",");
    const p1 = ',"Event-Calling-File":' + j(at[0]) + ',"Event-Calling-Function":' + j(at[1]) + ',"Event-Calling-Line-Number":"' + at[2] + '"';
    c = [p0, p1, Buffer.byteLength(p0) === p0.length && Buffer.byteLength(p1) === p1.length];
    cache.set(name, c);
  }
  const ts = now * 1000 + Math.floor(Math.random() * 1000);
  jsonHeadAscii = c[2] && datesAscii;
  return c[0] + datesJson + ',"Event-Date-Timestamp":"' + ts + '"' + c[1] + ',"Event-Sequence":"' + sw.nextSeq() + '"';
}

export function eventHead(sw: SwitchInfo, name: string, nowMs = Date.now()): Pairs {
  const [local, gmt] = dates(nowMs);
  const c = CALLING[name] ?? ["mod_event_socket.c", "api_exec", 1572];
  return [
    ["Event-Name", name],
    ["Core-UUID", sw.coreUuid],
    ["FreeSWITCH-Hostname", sw.hostname],
    ["FreeSWITCH-Switchname", sw.hostname],
    ["FreeSWITCH-IPv4", "192.0.2.2"],
    ["FreeSWITCH-IPv6", "fd00::2"],
    ["Event-Date-Local", local],
    ["Event-Date-GMT", gmt],
    ["Event-Date-Timestamp", String(nowMs * 1000 + Math.floor(Math.random() * 1000))],
    ["Event-Calling-File", c[0]],
    ["Event-Calling-Function", c[1]],
    ["Event-Calling-Line-Number", String(c[2])],
    ["Event-Sequence", String(sw.nextSeq())],
  ];
}
