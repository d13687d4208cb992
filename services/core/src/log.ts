import { pino, type Logger } from "pino";

export type { Logger };

/** Secrets never reach a log line: PINs, passwords, tokens, wherever they are nested. */
export const REDACT_PATHS = [
  "pin", "*.pin", "*.*.pin", "password", "*.password", "*.*.password", "secret", "*.secret",
  "token", "*.token", "authorization", "*.authorization", "headers.authorization", "PG_URL", "*.PG_URL",
];

export function createLogger(service: string, opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: service,
      level: opts.level ?? "info",
      base: { service, pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}

/** The per-call logger: every line carries call_id (and the trace id when there is one). */
export function callLogger(root: Logger, callId: string, traceId?: string): Logger {
  return root.child(traceId ? { call_id: callId, trace_id: traceId } : { call_id: callId });
}
