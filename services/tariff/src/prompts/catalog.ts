// The prompt set: every prompt id any playlist can contain, with the German text it speaks.
// Generated to WAV by ./generate.ts (espeak-ng), checked by test/prompts.test.ts.
import { cardinal } from "../words.ts";
import { REJECT_TEXTS, rejectPromptId } from "./rejects.ts";

/** Fixed phrases and units. Ids are stable: switches cache the files by id. */
export const PHRASES: Record<string, string> = {
  "num/1_ein": "ein",
  "num/1_eine": "eine",
  "word/komma": "Komma",
  "word/und": "und",
  "unit/cent": "Cent",
  "unit/euro": "Euro",
  "unit/minute": "Minute",
  "unit/minuten": "Minuten",
  "unit/sekunde": "Sekunde",
  "unit/sekunden": "Sekunden",
  "unit/stunde": "Stunde",
  "unit/stunden": "Stunden",
  "unit/uhr": "Uhr",
  "phrase/call_costs": "Dieses Gespräch kostet",
  "phrase/per_minute": "pro Minute",
  "phrase/plus": "zuzüglich",
  "phrase/per_connection": "pro Verbindung",
  "phrase/free_call": "Dieses Gespräch ist für Sie kostenlos.",
  "phrase/charging_starts": "Die Abrechnung beginnt",
  "phrase/after_announcement": "nach dem Ende dieser Ansage.",
  "phrase/price_change_from": "Achtung, Preisänderung. Ab",
  "phrase/this_call_costs": "kostet dieses Gespräch",
  "phrase/balance_is": "Ihr Guthaben beträgt",
  "phrase/remaining_time": "Ihr Guthaben reicht für",
  "phrase/talk_time": "Gesprächszeit.",
  "phrase/time_left": "Ihr Gespräch wird in Kürze beendet. Verbleibende Zeit:",
  "phrase/call_ends_soon": "Ihr Guthaben ist gleich aufgebraucht. Das Gespräch wird in Kürze beendet.",
  "phrase/goodbye": "Auf Wiederhören.",
};

let cache: Map<string, string> | undefined;

/** Every prompt id with its text: numbers 0-999, phrases, reject reasons. */
export function promptCatalog(): Map<string, string> {
  if (cache) return cache;
  const m = new Map<string, string>();
  for (let n = 0; n <= 999; n++) m.set(`num/${n}`, cardinal(n));
  for (const [id, text] of Object.entries(PHRASES)) m.set(id, text);
  for (const [reason, text] of Object.entries(REJECT_TEXTS)) m.set(rejectPromptId(reason), text);
  cache = m;
  return m;
}

/** The spoken words of a playlist (test and debugging aid). */
export function spoken(playlist: readonly string[]): string {
  const c = promptCatalog();
  return playlist
    .map((id) => {
      const t = c.get(id);
      if (t === undefined) throw new RangeError(`unknown prompt id ${id}`);
      return t;
    })
    .join(" ");
}
