// Calendar keys in the operator's time zone (Europe/Berlin): daily spend caps, monthly usage,
// monthly free-minute caps. Cached per minute: formatting dates is the slow part.
const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit" });

export interface CalendarKeys {
  minute: string;
  day: string;
  month: string;
  /** The three months before `month`, newest first. */
  prev: [string, string, string];
}

let cacheMinute = -1;
let cached: CalendarKeys | undefined;

function monthMinus(y: number, m: number, k: number): string {
  const t = y * 12 + (m - 1) - k;
  return `${Math.floor(t / 12)}${String((t % 12) + 1).padStart(2, "0")}`;
}

export function calendarKeys(nowMs: number): CalendarKeys {
  const minute = Math.floor(nowMs / 60_000);
  if (minute === cacheMinute && cached) return cached;
  const [y, m, d] = fmt.format(new Date(nowMs)).split("-").map(Number) as [number, number, number];
  const month = monthMinus(y, m, 0);
  cached = { minute: String(minute), day: `${month}${String(d).padStart(2, "0")}`, month, prev: [monthMinus(y, m, 1), monthMinus(y, m, 2), monthMinus(y, m, 3)] };
  cacheMinute = minute;
  return cached;
}
