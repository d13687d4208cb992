// @callctl/credit: the online charging system (issue 5). Public face for the CDR service, the
// switch agent's end-to-end tests and the CLI.
export { CreditStore, reject, DENY_REASONS, type CreditStoreOptions } from "./store.ts";
export { startCreditService, creditSubjects, CREDIT_SUBJECTS, type CreditService, type CreditServiceOptions, type CreditSubjects } from "./service.ts";
export { settleBatch, MAX_SETTLE_BATCH } from "./batch.ts";
export { AccountAdmin, parseAmount, type AccountView } from "./admin.ts";
export { CreditError, UnknownAccountError, TopupCapError, RedisUnavailableError } from "./errors.ts";
export { policySchema, configSchema, accountSeedSchema, makePolicy, adRatio, DEFAULT_POLICY, ZONES, type CreditPolicy, type CreditPolicyInput, type AccountSeed, type Zone } from "./policy.ts";
export { accountCommands, grantCommands } from "./cli.ts";
