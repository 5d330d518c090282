import { InvalidInputError } from '../schema/index.ts';

const DAY_MS = 86_400_000;

/**
 * Checks a 'YYYY-MM-DD' calendar date (rejecting 2025-02-30) and returns it unchanged, so SQL
 * can bind it as a DATE.
 */
export function checkIsoDay(text: string, field: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new InvalidInputError(`${field} must be a date as YYYY-MM-DD, got "${text}"`, field);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = new Date(Date.UTC(y, mo - 1, d));
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new InvalidInputError(`${field} is not a calendar date: "${text}"`, field);
  }
  return text;
}

/** 'YYYY-MM-DD' plus `days` (may be negative), in UTC day arithmetic. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
