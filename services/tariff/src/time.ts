// Europe/Berlin civil time without Intl or Temporal: plain arithmetic on the EU summer-time rule
// (Directive 2000/84/EC: CEST from the last Sunday of March 01:00 UTC to the last Sunday of
// October 01:00 UTC; CET = UTC+1, CEST = UTC+2). Tested against Intl across many DST changes.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** 00:00 UTC of the last Sunday of a month (month 0-11). */
function lastSundayUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  const dow = new Date(lastDay).getUTCDay();
  return lastDay - dow * DAY;
}

const dstCache = new Map<number, [number, number]>();
/** [start, end) of summer time in the given year, as epoch ms. */
export function summerTime(year: number): [number, number] {
  let r = dstCache.get(year);
  if (!r) {
    r = [lastSundayUtc(year, 2) + HOUR, lastSundayUtc(year, 9) + HOUR];
    dstCache.set(year, r);
  }
  return r;
}

/** Offset of Europe/Berlin from UTC at an instant, in ms (3,600,000 or 7,200,000). */
export function berlinOffsetMs(ms: number): number {
  const [start, end] = summerTime(new Date(ms).getUTCFullYear());
  return ms >= start && ms < end ? 2 * HOUR : HOUR;
}

export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  /** 0 = Sunday ... 6 = Saturday */
  dow: number;
  /** minutes since local midnight, 0-1439 */
  minute: number;
  /** "YYYY-MM-DD" of the local calendar day */
  date: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function berlinLocal(ms: number): LocalTime {
  const d = new Date(ms + berlinOffsetMs(ms));
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return { year, month, day, dow: d.getUTCDay(), minute: d.getUTCHours() * 60 + d.getUTCMinutes(), date: `${year}-${pad(month)}-${pad(day)}` };
}

/**
 * The instant of a local wall-clock time (minutes since midnight of a local date given as epoch
 * ms of that date at 00:00 UTC). Ambiguous times (autumn) resolve to the first occurrence; times
 * in the spring gap resolve to the instant the gap ends at the same offset as before (02:30 -> 03:30 CEST).
 */
export function berlinInstant(localDateUtcMidnight: number, minuteOfDay: number): number {
  const wall = localDateUtcMidnight + minuteOfDay * 60_000;
  const summer = wall - 2 * HOUR;
  if (berlinOffsetMs(summer) === 2 * HOUR) return summer;
  return wall - HOUR;
}

/** DST transition instants between two epoch ms (inclusive start, exclusive end). */
export function dstTransitions(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  const y0 = new Date(fromMs).getUTCFullYear();
  const y1 = new Date(toMs).getUTCFullYear();
  for (let y = y0; y <= y1; y++) for (const t of summerTime(y)) if (t >= fromMs && t < toMs) out.push(t);
  return out;
}

/** Parses "2027-01-01", "2027-01-01T00:00", or a full ISO time. Without an offset: Berlin local time. */
export function parseBerlinTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s.trim());
  if (m) {
    const dayUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    const minute = Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
    return berlinInstant(dayUtc, minute) + Number(m[6] ?? 0) * 1000;
  }
  const t = Date.parse(s);
  if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || Number.isNaN(t)) throw new RangeError(`not a time: ${JSON.stringify(s)}`);
  return t;
}

/** Easter Sunday (Gregorian, anonymous algorithm) as epoch ms of 00:00 UTC. */
export function easterUtc(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** Nationwide German public holidays of a year as "YYYY-MM-DD" (no regional ones). */
export function germanHolidays(year: number): string[] {
  const e = easterUtc(year);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return [
    `${year}-01-01`, // Neujahr
    iso(e - 2 * DAY), // Karfreitag
    iso(e + DAY), // Ostermontag
    `${year}-05-01`, // Tag der Arbeit
    iso(e + 39 * DAY), // Christi Himmelfahrt
    iso(e + 50 * DAY), // Pfingstmontag
    `${year}-10-03`, // Tag der Deutschen Einheit
    `${year}-12-25`,
    `${year}-12-26`,
  ];
}

export const MS = { HOUR, DAY };
