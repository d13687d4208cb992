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

/**
 * Idempotent by call id, like the real one: the second commit of a call changes nothing. Serves
 * the single-call subjects and the batch one (unless `noBatch`: an older credit service).
 */
export function fakeCredit(nc: NatsConnection, topo: Topology, opts: { failFirst?: number; noBatch?: boolean } = {}): FakeCredit {
  const f: FakeCredit = { commits: new Map(), releases: new Set(), calls: 0, stop: () => {} };
  let fail = opts.failFirst ?? 0;
  const commit = (r: callctl.v1.ICommitRequest) => {
    const id = r.callId ?? "";
    const dup = f.commits.has(id);
    if (!dup) f.commits.set(id, Number(r.amountMicro ?? 0));
    return { callId: id, ok: true, debitedMicro: f.commits.get(id), duplicate: dup };
  };
  const release = (r: callctl.v1.IReleaseRequest) => {
    const id = r.callId ?? "";
    const dup = f.releases.has(id);
    f.releases.add(id);
    return { callId: id, ok: true, duplicate: dup };
  };
  const serve = <T>(subject: string, decode: (b: Uint8Array) => T, handle: (r: T) => Uint8Array) =>
    nc.subscribe(subject, {
      callback: (_e, m) => {
        f.calls++;
        if (fail-- > 0) return; // no reply: the assembler's deadline passes and it retries
        m.respond(handle(decode(m.data)));
      },
    });
  const subs = [
    serve(topo.creditCommit, (b) => pb.CommitRequest.decode(b), (r) => pb.CommitResult.encode(commit(r)).finish()),
    serve(topo.creditRelease, (b) => pb.ReleaseRequest.decode(b), (r) => pb.CommitResult.encode(release(r)).finish()),
  ];
  if (!opts.noBatch) {
    subs.push(serve(topo.creditSettleBatch, (b) => pb.SettleBatchRequest.decode(b), (r) => pb.SettleBatchResult.encode({ results: r.items.map((it) => (it.commit ? commit(it.commit) : release(it.release!))) }).finish()));
  }
  f.stop = () => {
    for (const s of subs) s.unsubscribe();
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
