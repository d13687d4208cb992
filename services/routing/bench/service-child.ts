// The routing service in a child process (nats-server.ts) on private subjects, a private KV bucket
// holding the example configuration and a private attempts stream: shared by the NATS benchmarks.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { connectNats, putConfig, readYamlConfig, type NatsConnection } from "@callctl/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { EXAMPLE } from "./gen.ts";

export interface ServiceChild {
  nc: NatsConnection;
  child: ChildProcess;
  /** The child's callctl.route.decide. */
  subject: string;
  /** Deletes the private stream and bucket, closes the connection (the child is the caller's to stop). */
  cleanup(): Promise<void>;
}

export async function startServiceChild(clientName: string, opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; stdin?: boolean } = {}): Promise<ServiceChild> {
  const id = Date.now().toString(36);
  const root = `bench.${id}.routing`;
  const bucket = `bench-routing-${id}`;
  const stream = `BENCHROUTING${id.toUpperCase()}`;
  const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", clientName);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${root}.calls.>`] });
  const kv = await new Kvm(nc).create(bucket, { history: 1 });
  await putConfig(kv, readYamlConfig(EXAMPLE).doc);
  const loader = `file://${join(import.meta.dirname, "../../../node_modules/tsx/dist/loader.mjs")}`;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), "--import", loader, join(import.meta.dirname, "nats-server.ts"), root, bucket, stream], {
    stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "inherit"],
    env: { ...process.env, ...opts.env },
  });
  return {
    nc,
    child,
    subject: `${root}.route.decide`,
    cleanup: async () => {
      await jsm.streams.delete(stream).catch(() => {});
      await kv.destroy().catch(() => {});
      await nc.close();
    },
  };
}
