// PostgreSQL COPY text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text
// Format"): one line per row, columns separated by a tab, NULL as \N, and in a value the backslash,
// tab, newline and carriage return written as \\, \t, \n, \r. Pure: no I/O, unit-tested with
// hostile strings (copy.test.ts).
import { CallctlError } from "@callctl/core";

/** A value COPY text format cannot carry (a non-finite number, a function or symbol). */
export class CopyEncodeError extends CallctlError {
  constructor(message: string) {
    super("CDR_COPY_UNENCODABLE", message);
  }
}

const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_G = /[\\\t\n\r\0]/g;
// PostgreSQL text never holds a NUL: it is stored as U+FFFD (the Cdr in the CDR stream keeps the
// original). Refusing it would leave its batch redelivered forever and the call out of the sink.
const ESC: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\uFFFD" };
const esc = (c: string) => ESC[c]!;

/** One text value escaped for COPY (not NULL: see copyField). */
export function copyText(s: string): string {
  if (!SPECIAL.test(s)) return s; // the common case: nothing to escape, no new string
  return s.replace(SPECIAL_G, esc);
}

/**
 * One column value: null/undefined → \N, string → escaped text, number → decimal (finite only),
 * boolean → t/f, anything else (object, array) → its JSON text, escaped (for jsonb columns).
 */
export function copyField(v: unknown): string {
  switch (typeof v) {
    case "string":
      return copyText(v);
    case "number":
      if (!Number.isFinite(v)) throw new CopyEncodeError(`not a finite number: ${v}`);
      return `${v}`;
    case "boolean":
      return v ? "t" : "f";
    case "undefined":
      return "\\N";
    case "object": {
      if (v === null) return "\\N";
      // JSON text has no raw tab, newline or carriage return (JSON escapes them): only a
      // backslash needs doubling; "\u0000", which jsonb refuses, becomes "\uFFFD" as in text
      let j = JSON.stringify(v);
      if (!j.includes("\\")) return j;
      if (j.includes("\\u0000")) j = JSON.stringify(v, (_k, x: unknown) => (typeof x === "string" ? x.replaceAll("\0", "\uFFFD") : x));
      return j.replaceAll("\\", "\\\\");
    }
    default:
      throw new CopyEncodeError(`cannot encode a ${typeof v} for COPY`);
  }
}

/** One row from its column values in order: tab-separated, newline-terminated. */
export function copyLine(values: readonly unknown[]): string {
  const f = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) f[i] = copyField(values[i]);
  return `${f.join("\t")}\n`;
}
