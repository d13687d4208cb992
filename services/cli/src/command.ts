// The callctl command tree: every file in ./commands exports `commands`, one entry per
// subcommand path ("up", "route", "blocks list", ...). New subcommands slot in as new files.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CallctlError } from "@callctl/core";

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  /** Words of the subcommand, e.g. "blocks list". */
  name: string;
  summary: string;
  usage: string;
  run: (args: string[], io: CliIO) => Promise<number>;
}

/** Wrong arguments: exit code 2 and the command's usage. */
export class UsageError extends CallctlError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** parseArgs with strict checking; unknown options and bad values become UsageErrors. */
export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
