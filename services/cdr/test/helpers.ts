// Test helpers: a private topology on the shared NATS, a minimal in-test credit responder (unit
// tests only; end-to-end tests use the real @callctl/credit), and reading a CDR stream back.
import { jetstreamManager, DeliverPolicy } from "@nats-io/jetstream";
import { js, pb, type NatsConnection, type callctl } from "@callctl/core";
import { ensureTestStreams, testTopology, type Topology } from "../src/topology.ts";
import type { callEvents } from "./fixtures.ts";

export async function privateTopology(nc: NatsConnection, p: string): Promise<{ topo: Topology; cleanup: () => Promise<void> }> {
  const topo = testTopology(p);
  const cleanup = await ensureTestStreams(nc, topo);
  return { topo, cleanup };
}

export interface FakeCredit {
  commits: Map<string, number>;
  releases: Set<string>;
  calls: number;
  stop: () => void;
}

/** Idempotent by call id, like the real one: the second commit of a call changes nothing. */
export function fakeCredit(nc: NatsConnection, topo: Topology, opts: { failFirst?: number } = {}): FakeCredit {
  const f: FakeCredit = { commits: new Map(), releases: new Set(), calls: 0, stop: () => {} };
  let fail = opts.failFirst ?? 0;
  const s1 = nc.subscribe(topo.creditCommit, {
    callback: (_e, m) => {
      f.calls++;
      if (fail-- > 0) return; // no reply: the assembler's deadline passes and it retries
      const r = pb.CommitRequest.decode(m.data);
      const dup = f.commits.has(r.callId);
      if (!dup) f.commits.set(r.callId, Number(r.amountMicro));
      m.respond(pb.CommitResult.encode({ callId: r.callId, ok: true, debitedMicro: f.commits.get(r.callId), duplicate: dup }).finish());
    },
  });
  const s2 = nc.subscribe(topo.creditRelease, {
    callback: (_e, m) => {
      f.calls++;
      const r = pb.ReleaseRequest.decode(m.data);
      const dup = f.releases.has(r.callId);
      f.releases.add(r.callId);
      m.respond(pb.CommitResult.encode({ callId: r.callId, ok: true, duplicate: dup }).finish());
    },
  });
  f.stop = () => {
    s1.unsubscribe();
    s2.unsubscribe();
  };
  return f;
}

/** Publishes the events of calls (optionally transformed: shuffled, duplicated, dropped). */
export async function publishEvents(nc: NatsConnection, topo: Topology, list: ReturnType<typeof callEvents>, opts: { noMsgId?: boolean } = {}): Promise<void> {
  const j = js(nc);
  const prefix = topo.callsFilter.replace(/\.>$/, "");
  await Promise.all(list.map((x) => j.publish(`${prefix}.${x.subjectKind}`, pb.CallEvent.encode(x.ev).finish(), opts.noMsgId ? {} : { msgID: x.msgId })));
}

/** Every Cdr in a stream, in order. */
export async function readCdrs(nc: NatsConnection, stream: string): Promise<callctl.v1.Cdr[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const n = info.state.messages;
  if (n === 0) return [];
  const c = await js(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const out: callctl.v1.Cdr[] = [];
  const it = await c.consume();
  for await (const m of it) {
    out.push(pb.Cdr.decode(m.data));
    if (out.length >= n) break;
  }
  await it.close();
  return out;
}

/** Polls until `cond` holds; no wall-clock bound of its own (tap's file timeout is the backstop). */
export async function waitFor(cond: () => boolean | Promise<boolean>, stepMs = 50): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, stepMs));
}
