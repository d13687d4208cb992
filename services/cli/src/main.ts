#!/usr/bin/env node
// callctl: the operator's command. `callctl help` lists the subcommands.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CallctlError } from "@callctl/core";
import { UsageError, type CliIO, type Command } from "./command.ts";

export async function loadCommands(): Promise<Command[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "commands");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort();
  const all: Command[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { commands?: Command[] };
    all.push(...(mod.commands ?? []));
  }
  return all;
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const commands = await loadCommands();
  const byLength = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  const cmd = byLength.find((c) => {
    const words = c.name.split(" ");
    return words.every((w, i) => argv[i] === w);
  });
  if (!cmd || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    const lines = commands.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`);
    (cmd || argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h" ? io.out : io.err)(`usage: callctl <command> [options]\n\ncommands:\n${lines.join("\n")}\n`);
    return cmd || argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h" ? 0 : 2;
  }
  const rest = argv.slice(cmd.name.split(" ").length);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`usage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`callctl ${cmd.name}: ${err.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof CallctlError) {
      io.err(`callctl ${cmd.name}: ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env, cwd: process.cwd() };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`callctl: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
