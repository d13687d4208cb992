// `callctl up/status/down` against real servers: down stops what callctl started and nothing else.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import t from "tap";
import { runCli } from "../src/index.ts";

const exec = promisify(execFile);
const root = join(import.meta.dirname, "../../..");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: (env: NodeJS.ProcessEnv) => ({ out: (s: string) => out.push(s), err: (s: string) => err.push(s), env, cwd: root }) };
}

t.test("runtime up starts missing servers on their ports, status sees them, down stops only those", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "callctl-rt-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const natsPort = await freePort();
  const redisPort = await freePort();
  const env = { ...process.env, CALLCTL_RUNTIME_DIR: dir, CALLCTL_NATS_PORT: String(natsPort), CALLCTL_REDIS_PORT: String(redisPort), NATS_URL: `nats://127.0.0.1:${natsPort}`, REDIS_URL: `redis://127.0.0.1:${redisPort}` };
  const script = join(root, "infra/local/runtime.sh");
  await exec("bash", [script, "up"], { env });
  t.teardown(() => exec("bash", [script, "down"], { env }).then(() => {}));

  const st = capture();
  t.equal(await runCli(["status", "--json"], st.io(env)), 0, "status exits 0 when all are healthy");
  const report = JSON.parse(st.out.join("")) as Array<{ name: string; healthy: boolean; detail: string }>;
  for (const n of ["nats", "redis", "postgres"]) t.ok(report.find((r) => r.name === n)?.healthy, `${n} healthy`);
  t.match(report.find((r) => r.name === "nats")?.detail, /JetStream/);

  const mine = (await exec("bash", [script, "status"], { env })).stdout;
  t.match(mine, /nats 127\.0\.0\.1:\d+ up \(started by callctl\)/);
  t.match(mine, /postgres 127\.0\.0\.1:5432 up \(external\)/, "the shared PostgreSQL is reused, not started");

  const down = capture();
  t.equal(await runCli(["down"], down.io(env)), 0);
  const after = capture();
  t.equal(await runCli(["status", "--json"], after.io(env)), 1, "status exits 1 when a server is down");
  const rep2 = JSON.parse(after.out.join("")) as Array<{ name: string; healthy: boolean }>;
  t.notOk(rep2.find((r) => r.name === "nats")?.healthy, "callctl's nats stopped");
  t.notOk(rep2.find((r) => r.name === "redis")?.healthy, "callctl's redis stopped");
  t.ok(rep2.find((r) => r.name === "postgres")?.healthy, "the external PostgreSQL still runs");
});

t.test("bad arguments: exit 2 with usage, nothing runs", async (t) => {
  const c = capture();
  t.equal(await runCli(["status", "--bogus"], c.io(process.env)), 2);
  t.match(c.err.join(""), /Unknown option '--bogus'[\s\S]*usage: callctl status/);
  const u = capture();
  t.equal(await runCli(["frobnicate"], u.io(process.env)), 2);
  t.match(u.err.join(""), /usage: callctl <command>/);
  const h = capture();
  t.equal(await runCli(["help"], h.io(process.env)), 0);
  t.match(h.out.join(""), /status/);
});
