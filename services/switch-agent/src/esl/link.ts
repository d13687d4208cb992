// What an EslCall needs from its socket: write commands, receive the channel's events, learn of the
// end. Two implementations: the lean one for the per-call outbound socket (frames.ts, taken over
// from modesl right after the `connect` handshake) and modesl's Connection (agent-originated
// callback legs on an inbound connection, a rare path).
import type { Socket } from "node:net";
import { FrameReader, JsonEvent } from "./frames.ts";
import { type EslConnection, type EslEvent, frameCommand, writeCorked } from "./wire.ts";

export interface CallLink {
  /** One command (sendmsg, filter, event, linger, exit); the reply is not awaited. */
  send(command: string, args?: Record<string, string | number | boolean>): void;
  /** `api <command> <args>` on the same socket (outbound `full` mode); the response is not awaited. */
  api(command: string, args: string): void;
  onEvent(fn: (ev: EslEvent) => void): void;
  onEnd(fn: () => void): void;
}

/** A modesl Connection (already patched by patchConnection) as a CallLink. */
export function modeslLink(conn: EslConnection): CallLink {
  return {
    send: (command, args) => conn.send(command, args),
    api: (command, args) => conn.api(command, args),
    onEvent: (fn) => void conn.on("esl::event::**", (ev: never) => fn(ev as EslEvent)),
    onEnd: (fn) => void conn.on("esl::end", fn),
  };
}

/**
 * Takes an outbound socket over from modesl once its `connect` reply (CHANNEL_DATA) was parsed:
 * modesl's Parser stops reading (its `data` listener is removed, whatever it had buffered past the
 * reply is handed to the lean reader), replies and notices are read and dropped (nothing waits for
 * them: ESL.md pitfall 11, a command's outcome shows in the channel's events), JSON events go to
 * the call as lazily decoded JsonEvents. The end is the socket's `end` or `close`, whichever first.
 */
export function takeOverOutbound(conn: EslConnection, socket: Socket): CallLink {
  const parser = (conn as unknown as { parser?: { buffer?: Buffer } }).parser;
  const rest = parser?.buffer?.length ? parser.buffer : undefined;
  if (parser) parser.buffer = Buffer.alloc(0);
  socket.removeAllListeners("data");
  let onEvent: ((ev: EslEvent) => void) | undefined;
  const ends: Array<() => void> = [];
  let ended = false;
  const reader = new FrameReader((f) => {
    if (f.contentType !== "text/event-json" || !f.body || !onEvent) return;
    const ev = JsonEvent.of(f.body);
    if (ev) onEvent(ev);
  });
  socket.on("data", (d: Buffer) => reader.push(d));
  const end = () => {
    if (ended) return;
    ended = true;
    for (const fn of ends) fn();
  };
  socket.once("end", end);
  socket.once("close", end);
  const write = (data: string) => {
    if (!socket.destroyed && socket.writable) writeCorked(socket, data);
  };
  return {
    send: (command, args) => write(frameCommand(command, args)),
    api: (command, args) => write(frameCommand(`api ${command}${args ? ` ${args}` : ""}`)),
    onEvent: (fn) => {
      onEvent = fn;
      // Bytes modesl read past the `connect` reply: delivered once the call listens.
      if (rest) queueMicrotask(() => reader.push(rest));
    },
    onEnd: (fn) => void ends.push(fn),
  };
}
