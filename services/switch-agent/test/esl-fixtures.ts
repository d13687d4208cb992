// Reads the recorded ESL fixtures (copied from shared/fixtures/esl: recorded data, see its README)
// and parses FreeSWITCH's byte stream with the same modesl Parser the driver runs on.
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import esl from "modesl";
import type { EslEvent } from "../src/esl/wire.ts";

export interface Chunk {
  dir: string;
  t: number;
  data: Buffer;
}

export function readChunks(name: string): Chunk[] {
  const buf = readFileSync(join(import.meta.dirname, "fixtures/esl", `${name}.txt`));
  const out: Chunk[] = [];
  let i = buf.indexOf("\n@@ ");
  while (i >= 0) {
    const eol = buf.indexOf("\n", i + 1);
    const m = /^@@ (\S+) t=(\d+(?:\.\d+)?) len=(\d+)$/.exec(buf.subarray(i + 1, eol).toString());
    if (!m) throw new Error(`bad chunk header at ${i}`);
    const len = Number(m[3]);
    out.push({ dir: m[1]!, t: Number(m[2]), data: buf.subarray(eol + 1, eol + 1 + len) });
    i = buf.indexOf("\n@@ ", eol + 1 + len);
  }
  return out;
}

/** Every frame FreeSWITCH sent, parsed by modesl, fed chunk by chunk as the client read it. */
export function parseFs(name: string): EslEvent[] {
  const sock = new EventEmitter();
  const parser = new esl.Parser(sock);
  const events: EslEvent[] = [];
  parser.on("esl::event", (ev: EslEvent) => events.push(ev));
  for (const c of readChunks(name)) if (c.dir === "fs->client") sock.emit("data", c.data);
  return events;
}

export const named = (evs: EslEvent[], name: string) => evs.filter((e) => e.getHeader("Event-Name") === name);
export const completions = (evs: EslEvent[], app: string) => named(evs, "CHANNEL_EXECUTE_COMPLETE").filter((e) => e.getHeader("Application") === app);
