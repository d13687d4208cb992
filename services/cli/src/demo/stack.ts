// Starting the demo's stack as real processes: every service's main.ts with the demo's env,
// logs to files (the terminal keeps the progress line), readiness polled on /readyz.
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { startServices, stopChildren } from "../commands/stack.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on("error", reject);
  });
}

export interface DemoStack {
  children: ChildProcess[];
  /** Ops HTTP port of each service (free ports, so a demo never collides with `callctl up`). */
  ports: Record<string, number>;
  logDir: string;
  stop(): Promise<void>;
}

export async function startDemoStack(names: string[], env: NodeJS.ProcessEnv, logDir: string, readyTimeoutMs = 90_000): Promise<DemoStack> {
  mkdirSync(logDir, { recursive: true });
  const children: ChildProcess[] = [];
  const ports: Record<string, number> = {};
  for (const name of names) ports[name] = await freePort();
  for (const name of names) {
    const file = createWriteStream(join(logDir, `${name}.log`), { flags: "w" });
    children.push(...startServices([name], env, (line) => file.write(line), ports));
  }
  const deadline = Date.now() + readyTimeoutMs;
  const pending = new Set(names);
  while (pending.size && Date.now() < deadline) {
    for (const [i, c] of children.entries()) {
      if (c.exitCode !== null) {
        await stopChildren(children);
        throw new Error(`${names[i]} exited with code ${c.exitCode} while starting (see ${join(logDir, `${names[i]}.log`)})`);
      }
    }
    for (const name of [...pending]) {
      const ok = await fetch(`http://127.0.0.1:${ports[name]}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) pending.delete(name);
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 250));
  }
  if (pending.size) {
    await stopChildren(children);
    throw new Error(`not ready after ${readyTimeoutMs} ms: ${[...pending].join(", ")} (logs in ${logDir})`);
  }
  return { children, ports, logDir, stop: () => stopChildren(children) };
}
