// callctl cdr export|invoice mark|retention run|hold add|release|list|erase|shorten|reconcile:
// logic in @callctl/cdr.
import { cdrCommands } from "@callctl/cdr";
import { type Command, UsageError } from "../command.ts";

export const commands: Command[] = cdrCommands({ usage: (m) => new UsageError(m) });
