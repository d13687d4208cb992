// The German price announcement (TKG §110, DOMAIN.md §3): price per minute incl. VAT, in cent or in
// euro but never both in one announcement (§110(1) sentence 2), and when charging starts. Built
// as display text and as a playlist of prompt ids from ./prompts/catalog.ts.
import { CallctlError } from "@callctl/core";
import { digitPrompts, numberPrompt } from "./words.ts";

export type Unit = "cent" | "euro";
export type UnitPreference = Unit | "auto";

/** One announcement would say both "Cent" and "Euro": refused (§110(1) sentence 2 TKG). */
export class MixedUnitError extends CallctlError {
  constructor(detail: string) {
    super("MIXED_UNITS", `announcement mixes cent and euro: ${detail}`);
  }
}

/** An amount cannot be spoken in the requested unit (too large, or finer than 0.01 cent). */
export class UnspeakableAmountError extends CallctlError {
  constructor(micro: number, unit: Unit) {
    super("UNSPEAKABLE_AMOUNT", `${micro} micro-euro cannot be announced in ${unit}`);
  }
}

export interface Spoken {
  text: string;
  playlist: string[];
}

const trimZeros = (s: string) => s.replace(/0+$/, "");

/** Whether an amount can be announced in a unit: cent 0-999.99, euro 0-999.9999, steps of 0.01 cent. */
export function speakable(micro: number, unit: Unit): boolean {
  if (!Number.isSafeInteger(micro) || micro < 0 || micro % 100 !== 0) return false;
  return unit === "cent" ? micro < 10_000_000 : micro < 1_000_000_000;
}

/**
 * An amount of money in one unit. Cent: "3,9 Cent" (drei Komma neun Cent), "1 Cent" (ein Cent),
 * "0 Cent". Euro: whole cents as "1 Euro 29" (ein Euro neunundzwanzig), "2 Euro 05" (zwei Euro
 * fünf), "1 Euro" (ein Euro); finer than a cent as a decimal: "0,039 Euro" (null Komma null drei neun Euro).
 */
export function amount(micro: number, unit: Unit): Spoken {
  if (!speakable(micro, unit)) throw new UnspeakableAmountError(micro, unit);
  if (unit === "cent") {
    const hundredths = micro / 100;
    const whole = Math.floor(hundredths / 100);
    const frac = trimZeros(String(hundredths % 100).padStart(2, "0"));
    if (!frac) return { text: `${whole} Cent`, playlist: [numberPrompt(whole, "m"), "unit/cent"] };
    return { text: `${whole},${frac} Cent`, playlist: [`num/${whole}`, "word/komma", ...digitPrompts(frac), "unit/cent"] };
  }
  const euros = Math.floor(micro / 1_000_000);
  const rest = micro % 1_000_000;
  if (rest % 10_000 === 0) {
    const cents = rest / 10_000;
    if (cents === 0) return { text: `${euros} Euro`, playlist: [numberPrompt(euros, "m"), "unit/euro"] };
    return { text: `${euros} Euro ${String(cents).padStart(2, "0")}`, playlist: [numberPrompt(euros, "m"), "unit/euro", `num/${cents}`] };
  }
  const frac = trimZeros(String(rest / 100).padStart(4, "0"));
  return { text: `${euros},${frac} Euro`, playlist: [`num/${euros}`, "word/komma", ...digitPrompts(frac), "unit/euro"] };
}

/** The unit for a set of amounts: a fixed preference, or auto = cent unless one is 1 € or more. */
export function chooseUnit(pref: UnitPreference, amounts: number[]): Unit {
  if (pref !== "auto") return pref;
  return amounts.some((a) => a >= 1_000_000) ? "euro" : "cent";
}

/** Refuses a playlist that says both units (§110(1) sentence 2 TKG). */
export function assertSingleUnit(playlist: readonly string[]): void {
  if (playlist.includes("unit/cent") && playlist.includes("unit/euro")) throw new MixedUnitError(playlist.join(" "));
}

function join(parts: Spoken[], sep = " "): Spoken {
  return { text: parts.map((p) => p.text).join(sep), playlist: parts.flatMap((p) => p.playlist) };
}
const say = (text: string, id: string): Spoken => ({ text, playlist: [id] });

/** "Die Abrechnung beginnt 3 Sekunden nach dem Ende dieser Ansage." (TKG §110: at least 3 s). */
export function chargingStarts(chargeDelayMs: number): Spoken {
  const s = Math.ceil(chargeDelayMs / 1000);
  return join([
    say("Die Abrechnung beginnt", "phrase/charging_starts"),
    { text: `${s} ${s === 1 ? "Sekunde" : "Sekunden"}`, playlist: [numberPrompt(s, "f"), s === 1 ? "unit/sekunde" : "unit/sekunden"] },
    say("nach dem Ende dieser Ansage.", "phrase/after_announcement"),
  ]);
}

export interface PriceAnnouncementInput {
  pricePerMinMicro: number;
  connectFeeMicro: number;
  unit: UnitPreference;
  chargeDelayMs: number;
  free: boolean;
}

/** The announcement played before the call is connected (free of charge). */
export function priceAnnouncement(i: PriceAnnouncementInput): Spoken & { unit: Unit } {
  if (i.free) return { ...say("Dieses Gespräch ist für Sie kostenlos.", "phrase/free_call"), unit: chooseUnit(i.unit, [0]) };
  const unit = chooseUnit(i.unit, [i.pricePerMinMicro, i.connectFeeMicro]);
  const parts = [say("Dieses Gespräch kostet", "phrase/call_costs"), amount(i.pricePerMinMicro, unit)];
  if (i.connectFeeMicro > 0) {
    parts.push(say("pro Minute,", "phrase/per_minute"), say("zuzüglich", "phrase/plus"), amount(i.connectFeeMicro, unit), say("pro Verbindung.", "phrase/per_connection"));
  } else {
    parts.push(say("pro Minute.", "phrase/per_minute"));
  }
  parts.push(chargingStarts(i.chargeDelayMs));
  const out = join(parts);
  assertSingleUnit(out.playlist);
  return { ...out, unit };
}

/** "Achtung, Preisänderung. Ab 18 Uhr kostet dieses Gespräch 1,9 Cent pro Minute." (TKG §110(2)) */
export function priceChangeAnnouncement(localMinuteOfDay: number, pricePerMinMicro: number, unit: Unit): Spoken {
  const h = Math.floor(localMinuteOfDay / 60);
  const m = localMinuteOfDay % 60;
  const time: Spoken = {
    text: m === 0 ? `${h} Uhr` : `${h}:${String(m).padStart(2, "0")} Uhr`,
    playlist: [numberPrompt(h, "n"), "unit/uhr", ...(m === 0 ? [] : [`num/${m}`])],
  };
  const out = join([say("Achtung, Preisänderung. Ab", "phrase/price_change_from"), time, say("kostet dieses Gespräch", "phrase/this_call_costs"), amount(pricePerMinMicro, unit), say("pro Minute.", "phrase/per_minute")]);
  assertSingleUnit(out.playlist);
  return out;
}

/** Prepaid: "Ihr Guthaben beträgt 12 Euro 50." */
export function balanceAnnouncement(balanceMicro: number, pref: UnitPreference = "auto"): Spoken {
  const unit = chooseUnit(pref, [balanceMicro]);
  const rounded = Math.max(0, Math.floor(balanceMicro / 10_000) * 10_000); // whole cents, never more than there is
  const a = amount(rounded, unit);
  return { text: `Ihr Guthaben beträgt ${a.text}.`, playlist: ["phrase/balance_is", ...a.playlist] };
}

function duration(seconds: number): Spoken {
  const h = Math.min(999, Math.floor(seconds / 3600));
  const m = Math.floor((seconds % 3600) / 60);
  const parts: Spoken[] = [];
  const part = (n: number, one: string, many: string) => ({ text: `${n} ${n === 1 ? one : many}`, playlist: [numberPrompt(n, "f"), `unit/${(n === 1 ? one : many).toLowerCase()}`] });
  if (h > 0) parts.push(part(h, "Stunde", "Stunden"));
  if (h > 0 && m > 0) parts.push(say("und", "word/und"));
  if (m > 0 || h === 0) parts.push(seconds < 60 ? part(seconds, "Sekunde", "Sekunden") : part(m, "Minute", "Minuten"));
  return join(parts);
}

/** Prepaid: "Ihr Guthaben reicht für 1 Stunde und 5 Minuten Gesprächszeit." (rounded down to the minute) */
export function remainingTimeAnnouncement(seconds: number): Spoken {
  return join([say("Ihr Guthaben reicht für", "phrase/remaining_time"), duration(Math.max(0, Math.floor(seconds))), say("Gesprächszeit.", "phrase/talk_time")]);
}
