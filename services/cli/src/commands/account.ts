// callctl account create|show|topup|block|unblock|seed: logic in @callctl/credit.
import { accountCommands } from "@callctl/credit";
import { type Command, UsageError } from "../command.ts";

export const commands: Command[] = accountCommands({ usage: (m) => new UsageError(m) });
