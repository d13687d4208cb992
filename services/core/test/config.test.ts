import t from "tap";
import { z } from "zod";
import { PassThrough } from "node:stream";
import { loadEnv, baseEnv, env, ConfigError, createLogger, callLogger, parseMoney } from "../src/index.ts";

t.test("defaults apply when the environment is empty", async (t) => {
  const cfg = loadEnv(baseEnv, {});
  t.equal(cfg.NATS_URL, "nats://127.0.0.1:4222");
  t.equal(cfg.REQUEST_TIMEOUT_MS, 50);
  t.equal(cfg.NODE_ID, "node1");
});

t.test("a bad value fails fast with an error naming the variable", async (t) => {
  for (const [k, v] of [["NATS_URL", "http://x"], ["REQUEST_TIMEOUT_MS", "fast"], ["LOG_LEVEL", "loud"], ["NODE_ID", "a b"], ["HTTP_PORT", "70000"]] as const) {
    const err = (() => { try { loadEnv(baseEnv, { [k]: v }); } catch (e) { return e; } })() as ConfigError;
    t.type(err, ConfigError, k);
    t.equal(err.variable, k);
    t.equal(err.code, "CONFIG_INVALID");
    t.match(err.message, new RegExp(`^${k}: `));
  }
  const unset = (() => { try { loadEnv({ X: z.string() }, {}); } catch (e) { return e as ConfigError; } })();
  t.equal(unset?.variable, "X", "an unset required variable is named");
  t.equal(loadEnv({ B: env.bool(false) }, { B: "yes" }).B, true);
});

t.test("the logger redacts PINs and passwords and tags per-call lines", async (t) => {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on("data", (d) => lines.push(...String(d).trim().split("\n")));
  const root = createLogger("svc", { destination: out });
  callLogger(root, "call-9", "abc").info({ pin: "1234", account: { pin: "9999", password: "p" } }, "hello");
  await new Promise((r) => setImmediate(r));
  const rec = JSON.parse(lines[0]!);
  t.equal(rec.call_id, "call-9");
  t.equal(rec.trace_id, "abc");
  t.equal(rec.pin, "[redacted]");
  t.equal(rec.account.pin, "[redacted]");
  t.equal(rec.account.password, "[redacted]");
  t.notMatch(lines[0]!, /1234|9999/);
});

t.test("money parsing", async (t) => {
  t.equal(parseMoney("3.9ct"), 39_000);
  t.equal(parseMoney("1,29 €"), 1_290_000);
  t.equal(parseMoney("0.019"), 19_000);
  t.throws(() => parseMoney("abc"));
});
