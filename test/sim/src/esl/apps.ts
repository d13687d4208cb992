// Parsing helpers for dialplan application arguments (bridge dial strings, set, sched_hangup).

export interface DialLeg {
  endpoint: string;
  gateway: string;
  number: string;
  vars: Record<string, string>;
}

export interface DialString {
  globals: Record<string, string>;
  legs: DialLeg[];
}

function parseVarList(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  // Commas separate variables; `\,` escapes one inside a value.
  for (const part of s.split(/(?<!\\),/)) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    out[part.slice(0, i).trim()] = part.slice(i + 1).replace(/\\,/g, ",");
  }
  return out;
}

/** `{a=b}[leg=c]sofia/gateway/gw1/123|sofia/gateway/gw2/123` (`,` legs are tried in turn too). */
export function parseDialString(arg: string): DialString {
  let s = arg.trim();
  let globals: Record<string, string> = {};
  if (s.startsWith("{") || s.startsWith("<")) {
    const close = s.indexOf(s.startsWith("{") ? "}" : ">");
    if (close > 0) {
      globals = parseVarList(s.slice(1, close));
      s = s.slice(close + 1);
    }
  }
  const legs: DialLeg[] = [];
  for (const raw of s.split(/[|,](?![^[]*\])/)) {
    let ep = raw.trim();
    let vars: Record<string, string> = {};
    if (ep.startsWith("[")) {
      const close = ep.indexOf("]");
      if (close > 0) {
        vars = parseVarList(ep.slice(1, close));
        ep = ep.slice(close + 1);
      }
    }
    if (!ep) continue;
    const parts = ep.split("/");
    let gateway = "";
    let number = "";
    if (parts[0] === "sofia" && parts[1] === "gateway") {
      gateway = parts[2] ?? "";
      number = parts.slice(3).join("/");
    } else if (parts[0] === "sofia") {
      const dest = parts.slice(2).join("/");
      const at = dest.indexOf("@");
      number = at >= 0 ? dest.slice(0, at) : dest;
      gateway = at >= 0 ? dest.slice(at + 1) : (parts[1] ?? "");
    } else if (parts[0] === "error") {
      gateway = "error";
      number = parts[1] ?? "NORMAL_CLEARING";
    } else {
      gateway = parts[0] ?? "";
      number = parts.slice(1).join("/");
    }
    legs.push({ endpoint: ep, gateway, number, vars });
  }
  return { globals, legs };
}

export function parseSet(arg: string): [string, string] | undefined {
  const i = arg.indexOf("=");
  if (i <= 0) return undefined;
  return [arg.slice(0, i), arg.slice(i + 1)];
}

/** `+3 ALLOTTED_TIMEOUT` → seconds and cause. */
export function parseSchedHangup(arg: string): { secs: number; cause: string } {
  const [t = "+0", cause = "ALLOTTED_TIMEOUT"] = arg.trim().split(/\s+/);
  const secs = Number.parseInt(t.replace(/^\+/, ""), 10);
  return { secs: Number.isFinite(secs) ? secs : 0, cause };
}

/** How long a prompt plays: `loops=N` of 1 s tones, `<n>s.wav`, `silence_stream://ms`, else the default. */
export function playbackMs(file: string, defaultMs: number): number {
  const loops = /loops=(\d+)/.exec(file);
  if (loops) return Number(loops[1]) * 1000;
  const secs = /(\d+(?:\.\d+)?)s\.(?:wav|mp3|ogg|sln)\b/.exec(file);
  if (secs) return Number(secs[1]) * 1000;
  const ms = /(\d+)ms\b/.exec(file);
  if (ms) return Number(ms[1]);
  const silence = /^silence_stream:\/\/(\d+)/.exec(file);
  if (silence) return Number(silence[1]);
  return defaultMs;
}

/** continue_on_fail: `true`, or a list of cause names / Q.850 numbers. */
export function continuesOnFail(setting: string | undefined, cause: string, q850: number): boolean {
  if (!setting) return false;
  if (setting === "true") return true;
  if (setting === "false") return false;
  return setting.split(",").some((c) => c.trim() === cause || c.trim() === String(q850));
}
