/**
 * The generation period as day numbers, with per-day strings cached. All arithmetic is on UTC
 * day numbers so that the output (JST wall-clock, no zone) never depends on the machine's TZ.
 */
import { InvalidInputError } from '../schema/index.ts';

const DAY_MS = 86_400_000;

export interface Calendar {
  /** Epoch day (days since 1970-01-01) of the first day of the period. */
  readonly startDay: number;
  readonly days: number;
  readonly months: number;
  /** 'YYYY-MM-DD' for each day of the period. */
  readonly dateStr: readonly string[];
  /** Day of week per period day, Monday = 0. */
  readonly dow: Uint8Array;
  /** Calendar month (0 = January) per period day. */
  readonly monthOfYear: Uint8Array;
  /** First period day of each period month, plus `days` as a sentinel. */
  readonly monthStart: Int32Array;
  /** Calendar month (0 = January) of each period month. */
  readonly monthCalendar: Uint8Array;
}

/** Parses 'YYYY-MM-DD' into an epoch day, rejecting impossible dates such as 2025-02-30. */
export function parseDay(text: string, field = 'date'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new InvalidInputError(`${field} must be YYYY-MM-DD, got "${text}"`, field);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new InvalidInputError(`${field} is not a calendar date: "${text}"`, field);
  }
  return Math.round(ms / DAY_MS);
}

export function formatDay(day: number): string {
  const t = new Date(day * DAY_MS);
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** Epoch day of the same day-of-month `n` months later (clamped to the month's end). */
export function addMonths(day: number, n: number): number {
  const t = new Date(day * DAY_MS);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(y, m, Math.min(t.getUTCDate(), last)) / DAY_MS);
}

/** Year, month (0-based) and day of an epoch day. */
export function dayParts(day: number): { year: number; month: number; date: number } {
  const t = new Date(day * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth(), date: t.getUTCDate() };
}

export function buildCalendar(startDate: string, months: number): Calendar {
  const startDay = parseDay(startDate, 'startDate');
  const endDay = addMonths(startDay, months);
  const days = endDay - startDay;
  const dateStr: string[] = new Array(days);
  const dow = new Uint8Array(days);
  const monthOfYear = new Uint8Array(days);
  for (let i = 0; i < days; i++) {
    const d = startDay + i;
    dateStr[i] = formatDay(d);
    // 1970-01-01 was a Thursday: Monday-based index 3.
    dow[i] = (d + 3) % 7;
    monthOfYear[i] = dayParts(d).month;
  }
  const monthStart = new Int32Array(months + 1);
  const monthCalendar = new Uint8Array(months);
  for (let k = 0; k < months; k++) {
    const s = addMonths(startDay, k) - startDay;
    monthStart[k] = s;
    monthCalendar[k] = monthOfYear[s]!;
  }
  monthStart[months] = days;
  return { startDay, days, months, dateStr, dow, monthOfYear, monthStart, monthCalendar };
}

export const PAD2: readonly string[] = Array.from({ length: 60 }, (_, i) => pad2(i));

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** 'YYYY-MM-DD HH:MM:SS' for a period day and a second of that day. */
export function timestamp(cal: Calendar, day: number, second: number): string {
  const h = Math.floor(second / 3600);
  const m = Math.floor((second % 3600) / 60);
  return `${cal.dateStr[day]} ${PAD2[h]}:${PAD2[m]}:${PAD2[second % 60]}`;
}
