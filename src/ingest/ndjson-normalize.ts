import { ImportFileError } from '../schema/index.ts';
import { type BadRecord, csvField, type NormalizedFile, StagingWriter } from './csv-normalize.ts';

const KEY_SAMPLE = 1000;

/** Renders a JSON value as the string a CSV cell would hold. */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

/**
 * Streams newline-delimited JSON into the staging CSV. Columns are the keys seen in the first
 * 1,000 objects; a line that is not a JSON object is a bad record with its line number.
 */
export async function normalizeNdjson(
  chunks: AsyncIterable<Buffer>,
  outPath: string,
  options: { path: string; onRows?: (rows: number) => void },
): Promise<NormalizedFile & { ignoredKeys: string[] }> {
  const writer = new StagingWriter(outPath);
  const bad: BadRecord[] = [];
  let header: string[] | null = null;
  const sample: { row: number; line: number; value: Record<string, unknown> }[] = [];
  const ignored = new Set<string>();
  let rows = 0;
  let line = 0;
  let blankLines = 0;
  let carry = '';

  const emit = (row: number, recordLine: number, value: Record<string, unknown>) => {
    const cols = header!;
    for (const key of Object.keys(value)) if (!cols.includes(key)) ignored.add(key);
    writer.push(`${row},${recordLine},${cols.map((k) => csvField(cellText(value[k]))).join(',')}\n`);
  };
  const fixHeader = () => {
    const keys: string[] = [];
    for (const { value } of sample) for (const k of Object.keys(value)) if (!keys.includes(k)) keys.push(k);
    header = keys;
    writer.push(`_row,_line,${keys.map((_, i) => `c${i}`).join(',')}\n`);
    for (const s of sample) emit(s.row, s.line, s.value);
    sample.length = 0;
  };
  const handleLine = (text: string) => {
    line++;
    if (text.trim() === '') {
      blankLines++;
      return;
    }
    rows++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      bad.push({
        row: rows,
        line,
        reason: `is not valid JSON (${(err as Error).message})`,
        raw: text.slice(0, 500),
      });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      bad.push({ row: rows, line, reason: 'is not a JSON object', raw: text.slice(0, 500) });
      return;
    }
    if (header === null) {
      sample.push({ row: rows, line, value: value as Record<string, unknown> });
      if (sample.length >= KEY_SAMPLE) fixHeader();
    } else emit(rows, line, value as Record<string, unknown>);
  };

  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    carry = parts.pop()!;
    for (const part of parts) handleLine(part.endsWith('\r') ? part.slice(0, -1) : part);
    await writer.maybeFlush();
    options.onRows?.(rows);
  }
  if (carry.length) handleLine(carry);
  if (header === null) {
    if (sample.length === 0) {
      await writer.close();
      throw new ImportFileError(`file "${options.path}" holds no JSON objects`, 'file');
    }
    fixHeader();
  }
  await writer.close();
  return { header: header!, rows, bad, blankLines, ignoredKeys: [...ignored] };
}
