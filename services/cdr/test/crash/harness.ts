// Real processes for the crash tests: a private nats-server (own port, own store dir; the shared
// one on 4222 is never touched), the credit service and the CDR roles, each killable with -9.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitPort(port: number): Promise<void> {
  const { connect } = await import("node:net");
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, "127.0.0.1", () => {
        c.end();
        r(true);
      });
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A nats-server with JetStream on a free port and a temp store; restartable on the same store. */
export class PrivateNats {
  readonly dir = mkdtempSync(join(tmpdir(), "cdr-nats-"));
  port = 0;
  #p?: ChildProcess;
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  get pid(): number | undefined {
    return this.#p?.pid;
  }
  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.#p = spawn(process.env.NATS_SERVER_BIN ?? "nats-server", ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.dir], { stdio: "ignore" });
    await waitPort(this.port);
  }
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const p = this.#p;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once("exit", () => r());
      p.kill(signal);
    });
  }
  async destroy(): Promise<void> {
    await this.kill("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A service main.ts run through tsx as its own process. */
export class Proc {
  #p?: ChildProcess;
  starts = 0;
  kills = 0;
  log = "";
  constructor(
    readonly name: string,
    readonly main: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}
  start(): void {
    this.starts++;
    this.#p = spawn(process.execPath, ["--import", "tsx", join(ROOT, this.main)], { cwd: ROOT, env: { ...process.env, ...this.env, HTTP_PORT: "0" }, stdio: ["ignore", "ignore", "pipe"] });
    this.#p.stderr?.on("data", (d: Buffer) => {
      this.log = (this.log + d.toString()).slice(-4000);
    });
  }
  get alive(): boolean {
    return !!this.#p && this.#p.exitCode === null && this.#p.signalCode === null;
  }
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const p = this.#p;
    if (!p || !this.alive) return;
    if (signal === "SIGKILL") this.kills++;
    await new Promise<void>((r) => {
      p.once("exit", () => r());
      p.kill(signal);
    });
  }
}
