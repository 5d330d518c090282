const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 CSV field: quoted only when it holds a comma, quote or line break. The contract of
 * every CSV this project writes for programs (sample tables, staging files); exports that people
 * open in spreadsheets also neutralise formulas (`export/csv-cell.ts`).
 *
 * @example
 * csvField('a,b'); // '"a,b"'
 * csvField(null); // '' (an empty field: NULL when read back)
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
