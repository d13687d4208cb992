// No caller-controlled string reaches the switch unvalidated (ARCHITECTURE.md "Rules every part
// follows"; ESL.md pitfall 9: a newline in an ESL header value is a command injection). Identity
// fields are reduced to what a phone number can be; everything the agent writes to a switch passes
// one of the guards below, which throw rather than escape.
import { CallctlError } from "@callctl/core";

export class UnsafeValueError extends CallctlError {
  constructor(what: string, value: string) {
    super("UNSAFE_VALUE", `${what}: refused value ${JSON.stringify(value.slice(0, 40))}`, { details: { what } });
  }
}

const NUMBER = /^\+?[0-9]{1,32}$/;
const DIALED = /^\+?[0-9*#]{1,40}$/;

/** Calling number from the switch: digits (optional +), else "" (anonymous). Never throws. */
export function cleanCaller(raw: string | undefined): string {
  const v = raw ?? "";
  return NUMBER.test(v) ? v.replace(/^\+/, "") : "";
}

/** Dialed digits: the call is refused (Q.850 28) when they are not digits, * or #. */
export function cleanDialed(raw: string | undefined): { dialed: string; invalid?: string } {
  const v = raw ?? "";
  return DIALED.test(v) ? { dialed: v } : { dialed: "", invalid: "INVALID_DIALED_STRING" };
}

/** A prompt id from the tariff service: path-like, no spaces, no control characters. */
export function safePrompt(id: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_./-]{0,127}$/.test(id) || id.includes("..")) throw new UnsafeValueError("prompt", id);
  return id;
}

/** A switch-side gateway / trunk / endpoint name. */
export function safeName(what: string, v: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(v)) throw new UnsafeValueError(what, v);
  return v;
}

/** A number sent to a trunk. */
export function safeNumber(what: string, v: string): string {
  if (!/^\+?[0-9*#]{1,40}$/.test(v)) throw new UnsafeValueError(what, v);
  return v;
}

/** Last line of defence for every ESL header value the agent writes. */
export function eslHeaderValue(name: string, v: string): string {
  if (/[\r\n\0]/.test(v) || v.length > 4096) throw new UnsafeValueError(`esl header ${name}`, v);
  return v;
}
