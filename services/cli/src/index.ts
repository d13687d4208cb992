export { runCli, loadCommands } from "./main.ts";
export { UsageError, parse, type Command, type CliIO } from "./command.ts";
