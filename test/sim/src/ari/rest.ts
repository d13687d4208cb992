// The REST operations of the ARI simulator (status codes and error bodies as recorded).
import { randomUUID } from "node:crypto";
import type { TrunkBehaviour } from "../types.ts";
import type { Channels, SimChan } from "./channels.ts";
import { type AriBridgeState, ariTime, REASONS } from "./model.ts";
import { AriError, newLeg, runLeg } from "./trunk.ts";

export interface RestCtx {
  ch: Channels;
  trunks: Record<string, TrunkBehaviour>;
  apps: () => string[];
  info: () => unknown;
}

type Q = Record<string, string>;

/** `a=1&b=x%20y` as `new URL(target).searchParams` reads it (the last of a repeated name wins). */
export function parseQuery(qs: string): Record<string, string> {
  const q: Record<string, string> = {};
  if (!qs) return q;
  try {
    for (const pair of qs.split("&")) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const k = decodeForm(eq < 0 ? pair : pair.slice(0, eq));
      if (k === "__proto__") throw new Error("own __proto__");
      q[k] = eq < 0 ? "" : decodeForm(pair.slice(eq + 1));
    }
    return q;
  } catch {
    // A stray % (URLSearchParams keeps it as is) or a `__proto__` name: the WHATWG parser, as before.
    return Object.fromEntries(new URL(`/?${qs}`, "http://x").searchParams);
  }
}

/**
 * A path segment as Asterisk's ast_uri_decode reads it: each `%XX` with two hex digits decoded, any
 * other `%` kept as it is (decodeURIComponent would throw on `%E0%A4%A`, and the request would end
 * in a 500 where Asterisk answers 404).
 */
export function decodeSegment(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replaceAll("%", ""), "hex").toString("utf8"));
  }
}

function decodeForm(s: string): string {
  const t = s.includes("+") ? s.replaceAll("+", " ") : s;
  return t.includes("%") ? decodeURIComponent(t) : t;
}

export type Reply = { status: number; body?: unknown };

const notFound = (what: string): never => {
  throw new AriError(404, { message: `${what} not found` });
};

function chan(ctx: RestCtx, id: string | undefined): SimChan {
  const c = id ? ctx.ch.chans.get(id) : undefined;
  return c ?? notFound("Channel");
}

function bridge(ctx: RestCtx, id: string | undefined): AriBridgeState {
  const b = id ? ctx.ch.bridges.get(id) : undefined;
  return b ?? notFound("Bridge");
}

function hangupCause(q: Q): number {
  if (q.reason_code !== undefined) {
    const n = Number(q.reason_code);
    if (!Number.isInteger(n)) throw new AriError(400, { message: "Invalid reason for hangup reason_code provided" });
    return n;
  }
  if (q.reason === undefined) return 16;
  const r = REASONS[q.reason];
  if (!r) throw new AriError(400, { message: "Invalid reason for hangup reason provided" });
  return r[0];
}

function originate(ctx: RestCtx, q: Q, id?: string): Reply {
  if (!q.endpoint) throw new AriError(400, { message: "Endpoint must be specified" });
  if (!q.app && !q.extension) throw new AriError(400, { message: "Application or extension must be specified" });
  const c = newLeg(ctx.ch, { endpoint: q.endpoint, app: q.app ?? "", appArgs: q.appArgs, callerId: q.callerId, channelId: id ?? q.channelId, originator: q.originator }, ctx.trunks, false);
  const reply = { status: 200, body: { ...c.j } };
  const timeout = Number(q.timeout ?? 30) || 30;
  setImmediate(() => runLeg(ctx.ch, c, ctx.trunks[c.trunk!]!, timeout, q.appArgs ? q.appArgs.split(",") : []));
  return reply;
}

export function route(ctx: RestCtx, method: string, parts: string[], q: Q): Reply {
  const [res, id, sub, sub2] = parts;
  const ch = ctx.ch;
  const key = `${method} ${res}${id !== undefined ? "/:id" : ""}${sub ? "/" + sub : ""}${sub2 ? "/:id2" : ""}`;
  switch (key) {
    case "GET asterisk/:id":
      if (id === "info") return { status: 200, body: ctx.info() };
      if (id === "ping") return { status: 200, body: { asterisk_id: "02:fc:00:00:00:01", ping: "pong", timestamp: ariTime() } };
      return notFound("Resource");
    case "GET channels":
      return { status: 200, body: [...ch.chans.values()].map((c) => ({ ...c.j })) };
    case "POST channels":
      return originate(ctx, q);
    case "POST channels/:id":
      if (id === "create") {
        if (!q.endpoint || !q.app) throw new AriError(400, { message: "Endpoint and app must be specified" });
        const c = newLeg(ch, { endpoint: q.endpoint, app: q.app, appArgs: q.appArgs, channelId: q.channelId, originator: q.originator }, ctx.trunks, true);
        const body = { ...c.j, dialplan: { ...c.j.dialplan } };
        setImmediate(() => {
          c.j.dialplan.app_name = "Stasis";
          c.j.dialplan.app_data = [q.app, ...(q.appArgs ? [q.appArgs] : [])].join(",");
          ch.emit(c, "ChannelDialplan", { dialplan_app: "Stasis", dialplan_app_data: c.j.dialplan.app_data });
          ch.stasisStart(c, q.appArgs ? q.appArgs.split(",") : []);
        });
        return { status: 200, body };
      }
      return originate(ctx, q, id);
    case "GET channels/:id":
      return { status: 200, body: { ...chan(ctx, id).j } };
    case "DELETE channels/:id": {
      const c = chan(ctx, id);
      const cause = hangupCause(q);
      if (c.call) {
        c.call.hangupBy = "agent";
        c.call.cause = undefined;
        if (c.j.state !== "Up" && q.reason) c.call.sipCode = REASONS[q.reason]?.[1];
      }
      const ringing = c.kind === "out" && c.j.state !== "Up" && !c.viaDial;
      if (c.attempt && !c.attempt.endedAt) Object.assign(c.attempt, { sipCode: c.j.state === "Up" ? 200 : 487, cause: c.j.state === "Up" ? "NORMAL_CLEARING" : "ORIGINATOR_CANCEL", endedAt: Date.now() });
      ch.destroy(c, { request: { cause: 32, soft: true }, cause, dialstatus: ringing ? "NOANSWER" : undefined });
      return { status: 204 };
    }
    case "POST channels/:id/answer":
      ch.answer(chan(ctx, id));
      return { status: 204 };
    case "POST channels/:id/ring":
    case "POST channels/:id/progress":
      ch.provisional(chan(ctx, id));
      return { status: 204 };
    case "DELETE channels/:id/ring":
      chan(ctx, id);
      return { status: 204 };
    case "POST channels/:id/play":
    case "POST channels/:id/play/:id2": {
      const c = chan(ctx, id);
      if (!q.media) throw new AriError(400, { message: "Missing parameter media" });
      const pid = sub2 ?? (q.playbackId || randomUUID());
      return { status: 201, body: ch.play(c, q.media.split(","), pid, q.lang) };
    }
    case "POST channels/:id/variable": {
      const c = chan(ctx, id);
      if (!q.variable) throw new AriError(400, { message: "Variable name is required" });
      c.vars.set(q.variable, q.value ?? "");
      if (q.variable === "TIMEOUT(absolute)") {
        // Asterisk hangs the channel up by itself: ChannelLeftBridge + StasisEnd, no ChannelHangupRequest.
        ch.after(c, Number(q.value) * 1000, () => {
          if (c.call) {
            c.call.hangupBy = "switch";
            c.call.cause = "NORMAL_CLEARING";
          }
          ch.destroy(c, { cause: 16 });
        });
      }
      return { status: 204 };
    }
    case "GET channels/:id/variable": {
      const c = chan(ctx, id);
      const v = c.vars.get(q.variable ?? "");
      if (v === undefined) throw new AriError(404, { message: "Provided variable was not found" });
      return { status: 200, body: { value: v } };
    }
    case "POST channels/:id/dial": {
      const c = chan(ctx, id);
      if (!c.viaDial || !c.trunk) throw new AriError(409, { message: "Channel is not in the correct state" });
      const timeout = Number(q.timeout ?? 0) || 30;
      setImmediate(() => {
        // The dialled leg takes the caller's id as its connected line; the caller's own connected
        // line stays empty (recorded: even once the two are bridged).
        const a = q.caller ? ch.chans.get(q.caller) : undefined;
        if (a) c.j.connected = { name: a.j.caller.name, number: a.j.caller.number };
        ch.emit(c, "ChannelConnectedLine");
        runLeg(ch, c, ctx.trunks[c.trunk!]!, timeout, []);
      });
      return { status: 204 };
    }
    case "POST channels/:id/continue": {
      const c = chan(ctx, id);
      setImmediate(() => ch.destroy(c, { cause: 16 }));
      return { status: 204 };
    }
    case "GET playbacks/:id": {
      const p = id ? ch.playbacks.get(id) : undefined;
      return p ? { status: 200, body: { ...p.p } } : notFound("Playback");
    }
    case "DELETE playbacks/:id":
      if (!id || !ch.finishPlayback(id, "done")) notFound("Playback");
      return { status: 204 };
    case "GET bridges":
      return { status: 200, body: [...ch.bridges.values()] };
    case "POST bridges":
    case "POST bridges/:id": {
      // An empty bridgeId is no id: Asterisk makes one (ast_strlen_zero), as for channel and playback ids.
      const bid = id ?? (q.bridgeId || randomUUID());
      const existing = ch.bridges.get(bid);
      if (existing) return { status: 200, body: existing };
      const b: AriBridgeState = {
        id: bid,
        technology: "simple_bridge",
        bridge_type: q.type?.split(",")[0] ?? "mixing",
        bridge_class: "stasis",
        creator: "Stasis",
        name: q.name ?? "",
        channels: [],
        creationtime: ariTime(),
        video_mode: "talker",
      };
      ch.bridges.set(bid, b);
      if (q.type?.split(",").includes("proxy_media")) ch.proxyMedia.add(bid);
      return { status: 200, body: { ...b } };
    }
    case "GET bridges/:id":
      return { status: 200, body: { ...bridge(ctx, id) } };
    case "DELETE bridges/:id": {
      const b = bridge(ctx, id);
      for (const cid of [...b.channels]) {
        const c = ch.chans.get(cid);
        if (c) ch.leaveBridge(c);
      }
      ch.bridges.delete(b.id);
      ch.proxyMedia.delete(b.id);
      ctx.ch.w.emit(ctx.apps()[0] ?? "", "BridgeDestroyed", { bridge: { ...b } });
      return { status: 204 };
    }
    case "POST bridges/:id/addChannel": {
      const b = bridge(ctx, id);
      if (!q.channel) throw new AriError(400, { message: "Missing parameter channel" });
      const legs = q.channel.split(",").map((cid) => ch.chans.get(cid));
      if (legs.some((c) => !c)) throw new AriError(400, { message: "Channel not found" });
      for (const c of legs) ch.addToBridge(b, c!);
      ch.connectLines(b);
      return { status: 204 };
    }
    case "POST bridges/:id/removeChannel": {
      bridge(ctx, id);
      for (const cid of (q.channel ?? "").split(",")) {
        const c = ch.chans.get(cid);
        if (c) ch.leaveBridge(c);
      }
      return { status: 204 };
    }
    case "GET endpoints":
      return { status: 200, body: Object.keys(ctx.trunks).map((r) => ({ technology: "PJSIP", resource: r, state: "online", channel_ids: [] })) };
    case "GET applications":
      return { status: 200, body: ctx.apps().map((a) => appJson(ctx, a)) };
    case "GET applications/:id":
      if (!id || !ctx.apps().includes(id)) notFound("Application");
      return { status: 200, body: appJson(ctx, id!) };
    case "GET sounds":
    case "GET recordings/:id":
    case "GET deviceStates":
    case "GET mailboxes":
      return { status: 200, body: [] };
    default:
      throw new AriError(404, { message: "Resource not found" });
  }
}

function appJson(ctx: RestCtx, name: string): unknown {
  const ids = [...ctx.ch.chans.values()].filter((c) => c.app === name && c.inStasis).map((c) => c.j.id);
  return { name, channel_ids: ids, bridge_ids: [...ctx.ch.bridges.keys()], endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] };
}
