// callctl up | down | status: the local runtime and every service, in the foreground.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkRuntime, repoRoot, SERVICE_ENV, SERVICE_PORTS } from "../stack.ts";
import { parse, type Command } from "../command.ts";

const run = promisify(execFile);

export function runtimeScript(): string {
  return join(repoRoot(), "infra/local/runtime.sh");
}

/** The services `up` starts: every services/<name>/src/main.ts except the CLI itself. */
export function discoverServices(): string[] {
  return Object.keys(SERVICE_PORTS).filter((s) => existsSync(join(repoRoot(), "services", s, "src/main.ts")));
}

function prefixLines(name: string, stream: NodeJS.ReadableStream, write: (s: string) => void): void {
  let buf = "";
  stream.on("data", (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      write(`${name.padEnd(13)}| ${buf.slice(0, i)}\n`);
      buf = buf.slice(i + 1);
    }
  });
}

export function startServices(names: string[], env: NodeJS.ProcessEnv, write: (s: string) => void, ports: Record<string, number> = SERVICE_PORTS): ChildProcess[] {
  const root = repoRoot();
  return names.map((name) => {
    const child = spawn(process.execPath, ["--import", `file://${root}/node_modules/tsx/dist/loader.mjs`, join(root, "services", name, "src/main.ts")], {
      env: { ...SERVICE_ENV[name], ...env, HTTP_PORT: String(ports[name] ?? 0) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    prefixLines(name, child.stdout!, write);
    prefixLines(name, child.stderr!, write);
    return child;
  });
}

export async function stopChildren(children: ChildProcess[], timeoutMs = 8000): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill("SIGKILL"), timeoutMs);
          c.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
          c.kill("SIGTERM");
        }),
    ),
  );
}

const pidFile = () => join(repoRoot(), ".runtime", "services.pid");

export const commands: Command[] = [
  {
    name: "up",
    summary: "start NATS, Redis, PostgreSQL (if needed) and every service in the foreground",
    usage: "callctl up [--only svc,svc]",
    async run(args, io) {
      const { values } = parse(args, { only: { type: "string" } }, false);
      await run("bash", [runtimeScript(), "up"], { env: io.env });
      const names = values.only ? values.only.split(",") : discoverServices();
      const children = startServices(names, io.env, io.out);
      mkdirSync(join(repoRoot(), ".runtime"), { recursive: true });
      writeFileSync(pidFile(), children.map((c) => c.pid).join("\n"));
      io.out(`callctl: started ${names.join(", ") || "no services"}; Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        let alive = children.length;
        if (alive === 0) return;
        for (const c of children) c.once("exit", () => --alive === 0 && resolve());
      });
      await stopChildren(children);
      rmSync(pidFile(), { force: true });
      io.out("callctl: stopped\n");
      return 0;
    },
  },
  {
    name: "down",
    summary: "stop the services and the runtime servers callctl started (and nothing else)",
    usage: "callctl down",
    async run(args, io) {
      parse(args, {}, false);
      if (existsSync(pidFile())) {
        for (const pid of readFileSync(pidFile(), "utf8").split("\n").filter(Boolean)) {
          try {
            process.kill(Number(pid), "SIGTERM");
          } catch {
            /* already gone */
          }
        }
        rmSync(pidFile(), { force: true });
      }
      const r = await run("bash", [runtimeScript(), "down"], { env: io.env });
      io.out(r.stderr);
      return 0;
    },
  },
  {
    name: "status",
    summary: "health of NATS (JetStream), Redis, PostgreSQL and the running services",
    usage: "callctl status [--json]",
    async run(args, io) {
      const { values } = parse(args, { json: { type: "boolean" } }, false);
      const report = await checkRuntime(io.env);
      if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
      else for (const r of report) io.out(`${r.name.padEnd(13)} ${r.healthy ? "healthy  " : "UNHEALTHY"} ${r.detail}\n`);
      return report.filter((r) => r.required).every((r) => r.healthy) ? 0 : 1;
    },
  },
];
