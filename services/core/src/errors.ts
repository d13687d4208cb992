// Errors are classes with a stable `code`; callers match on the class or the code, never on text.

export class CallctlError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, string>;
  constructor(code: string, message: string, opts: { cause?: unknown; retryable?: boolean; details?: Record<string, string> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details ?? {};
  }
}

/** A configuration value (environment, YAML) is missing or invalid. Names the variable/path. */
export class ConfigError extends CallctlError {
  readonly variable: string;
  constructor(variable: string, reason: string, cause?: unknown) {
    super("CONFIG_INVALID", `${variable}: ${reason}`, { cause, details: { variable } });
    this.variable = variable;
  }
}

/** Input from outside (a request, a CLI argument, a dialed string) is malformed. */
export class ValidationError extends CallctlError {
  constructor(message: string, details: Record<string, string> = {}, cause?: unknown) {
    super("BAD_REQUEST", message, { cause, details });
  }
}

/** A request to another service did not answer before its deadline. */
export class DeadlineExceededError extends CallctlError {
  constructor(subject: string, timeoutMs: number, cause?: unknown) {
    super("DEADLINE_EXCEEDED", `${subject}: no reply within ${timeoutMs} ms`, { cause, retryable: true, details: { subject } });
  }
}

/** Nobody serves the subject. */
export class NoResponderError extends CallctlError {
  constructor(subject: string, cause?: unknown) {
    super("NO_RESPONDER", `${subject}: no service is listening`, { cause, retryable: true, details: { subject } });
  }
}

/** A remote service answered with a coded error. */
export class RemoteServiceError extends CallctlError {
  readonly status: number;
  constructor(status: number, code: string, message: string, retryable = false) {
    super(code, message, { retryable });
    this.status = status;
  }
}

/** Maps a stable error code to the numeric status carried in the NATS service error header. */
export function statusOf(code: string): number {
  switch (code) {
    case "BAD_REQUEST":
    case "CONFIG_INVALID":
      return 400;
    case "NOT_FOUND":
    case "UNKNOWN_ACCOUNT":
      return 404;
    case "CONFLICT":
      return 409;
    case "DEADLINE_EXCEEDED":
      return 504;
    case "UNAVAILABLE":
    case "NO_RESPONDER":
      return 503;
    default:
      return 500;
  }
}
