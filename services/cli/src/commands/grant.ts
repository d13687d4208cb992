// callctl grant adtime: ad-funded talk time for a web session; logic in @callctl/credit.
import { grantCommands } from "@callctl/credit";
import { type Command, UsageError } from "../command.ts";

export const commands: Command[] = grantCommands({ usage: (m) => new UsageError(m) });
