// Readers for the recorded switch traffic (test/sim/fixtures): ESL `@@ dir t= len=` chunks and ARI jsonl.
import { readFileSync } from "node:fs";
import { type EslFrame, parseEslFrames } from "./esl/frames.ts";

export type EslDir = "fs->client" | "client->fs" | "note";

export interface EslChunk {
  dir: EslDir;
  t: number;
  buf: Buffer;
}

export interface EslFixture {
  name: string;
  comments: string[];
  chunks: EslChunk[];
  /** Concatenated FreeSWITCH → client bytes. */
  fromSwitch: Buffer;
  /** Concatenated client → FreeSWITCH bytes. */
  fromClient: Buffer;
  /** FreeSWITCH's stream parsed into frames, each with the `t` of the chunk that completed it. */
  frames: Array<EslFrame & { t: number }>;
  /** Bytes left over after the last whole frame (only the cut slow-consumer recordings have any). */
  leftover: Buffer;
}

export function readEslFixture(path: string): EslFixture {
  const b = readFileSync(path);
  const comments: string[] = [];
  const chunks: EslChunk[] = [];
  let i = 0;
  while (i < b.length) {
    let nl = b.indexOf(10, i);
    if (nl < 0) nl = b.length;
    const line = b.toString("utf8", i, nl);
    const m = /^@@ (\S+) t=([\d.]+) len=(\d+)$/.exec(line);
    if (!m) {
      if (line.startsWith("#")) comments.push(line.slice(1).trim());
      i = nl + 1;
      continue;
    }
    const len = Number(m[3]);
    chunks.push({ dir: m[1] as EslDir, t: Number(m[2]), buf: b.subarray(nl + 1, nl + 1 + len) });
    i = nl + 1 + len + 1;
  }
  const fs = chunks.filter((c) => c.dir === "fs->client");
  const frames: Array<EslFrame & { t: number }> = [];
  let pending: Buffer = Buffer.alloc(0);
  for (const c of fs) {
    pending = pending.length ? Buffer.concat([pending, c.buf]) : c.buf;
    const r = parseEslFrames(pending);
    for (const f of r.frames) frames.push({ ...f, t: c.t });
    pending = r.rest;
  }
  const nameLine = comments.find((c) => c.startsWith("ESL fixture:"));
  return {
    name: nameLine ? nameLine.slice("ESL fixture:".length).trim() : path,
    comments,
    chunks,
    fromSwitch: Buffer.concat(fs.map((c) => c.buf)),
    fromClient: Buffer.concat(chunks.filter((c) => c.dir === "client->fs").map((c) => c.buf)),
    frames,
    leftover: pending,
  };
}

export interface AriRecord {
  t_ms: number;
  wall?: string;
  kind: string;
  id?: number | string;
  conn?: number;
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string | null>;
  body?: unknown;
  status?: number;
  status_text?: string;
  /** ws_event: the JSON frame Asterisk sent (stored parsed). */
  event?: string | Record<string, unknown>;
  text?: string;
  [k: string]: unknown;
}

export function readAriFixture(path: string): AriRecord[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as AriRecord);
}

/** ws_event records decoded to objects, in order. */
export function ariEvents(records: AriRecord[]): Array<Record<string, unknown> & { type: string }> {
  return records
    .filter((r) => r.kind === "ws_event" && r.event !== undefined)
    .map((r) => (typeof r.event === "string" ? JSON.parse(r.event) : r.event) as Record<string, unknown> & { type: string });
}
