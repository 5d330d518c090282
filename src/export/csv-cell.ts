/**
 * CSV cells that spreadsheets cannot run. Excel, LibreOffice and Google Sheets evaluate a cell
 * that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so an ID such as
 * `=cmd|' /C calc'!A0` would run when a marketer opens an export. Following OWASP's CSV-injection
 * guidance, such a cell is prefixed with a single quote and quoted; the full-width forms
 * (＝ ＋ － ＠), which Japanese input methods produce, are treated the same. NDJSON and Arrow carry
 * values unchanged: they are read by programs, not spreadsheets.
 */

import { csvField } from '../schema/index.ts';

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']);

/** True when a spreadsheet would read the cell as a formula. */
export function startsFormula(value: string): boolean {
  return value.length > 0 && FORMULA_START.has(value[0]!);
}

/** True when UTF-8 bytes start like a formula (the byte path of the export encoder). */
export function bytesStartFormula(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  const c = b[0]!;
  if (c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d) return true;
  // Full-width ＝ ＋ － ＠ are EF BC 9D / 8B / 8D / A0.
  return c === 0xef && b[1] === 0xbc && (b[2] === 0x9d || b[2] === 0x8b || b[2] === 0x8d || b[2] === 0xa0);
}

/**
 * One RFC 4180 CSV field that no spreadsheet evaluates: quoted when it holds a comma, quote or
 * line break, and `'`-prefixed (and quoted) when it starts like a formula.
 *
 * @example
 * csvCell('tp_0001'); // 'tp_0001'
 * csvCell('=1+1'); // `"'=1+1"`
 * csvCell('a,b'); // '"a,b"'
 */
export function csvCell(value: string): string {
  return startsFormula(value) ? `"'${value.replaceAll('"', '""')}"` : csvField(value);
}
