// @callctl/core: what every service shares. Nothing here knows about a particular service.
export { CallctlError, ConfigError, ValidationError, DeadlineExceededError, NoResponderError, RemoteServiceError, statusOf } from "./errors.ts";
export { loadEnv, env, baseEnv, type BaseEnv, type EnvShape } from "./config.ts";
export { createLogger, callLogger, REDACT_PATHS, type Logger } from "./log.ts";
export { setupTelemetry, injectTrace, extractTrace, traceIdOf, type Telemetry, type HeaderCarrier } from "./telemetry.ts";
export { connectNats, provision, STREAMS, CONFIG_BUCKET, type NatsConnection, type ProvisionOptions } from "./nats.ts";
export { startService, request, type Codec, type EndpointSpec, type ServiceSpec, type HandlerContext, type RequestOptions } from "./rpc.ts";
export { startOpsServer, json, type OpsServer, type Check, type Route } from "./http.ts";
export { Latency } from "./latency.ts";
export { parseMoney, formatEuro, MICRO_PER_EURO, MICRO_PER_CENT } from "./money.ts";
export { js, eventMsgId, publishDurable } from "./jetstream.ts";
export { pb, type callctl } from "./proto.ts";
export { SUBJECTS } from "./subjects.ts";
export { readYamlConfig, validateConfig, loadConfigFile, putConfig, getConfig, watchConfig, ConfigFileError, CONFIG_KEY, type ConfigIssue } from "./configdoc.ts";
export { runService, type ServiceContext, type Running } from "./service.ts";
export { measureFloor, measureNatsFloor, measureRedisFloor, ratio, type Floor, type RoundTrip } from "./floor.ts";
export { classifyCause, countOutcome, emptyKpi, asr, ner, type KpiCounts, type CauseClass } from "./kpi.ts";
export { ZONE_IDS, type ZoneId } from "./zones.ts";
export { openLoop, serveCpuReport, askCpuUs } from "./benchkit.ts";
