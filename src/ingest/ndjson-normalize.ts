import { setImmediate } from 'node:timers/promises';
import { csvField, ImportFileError } from '../schema/index.ts';
import { type BadRecord, type NormalizedFile, rawSample, StagingWriter } from './csv-normalize.ts';
import { MAX_SOURCE_COLUMNS, RAW_SAMPLE_BYTES, RECORD_LIMIT_BYTES, tooLongReason } from './limits.ts';

const KEY_SAMPLE = 1000;
const LF = 0x0a;
/** Ignored keys listed by name in the report; the rest are counted. */
const IGNORED_KEYS_LISTED = 50;

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
 * 1,000 objects (at most 1,000 distinct keys: wider objects fail the file at once, before any
 * slow work); a line that is not a JSON object, or is longer than the record limit, is a bad
 * record with its line number.
 */
export async function normalizeNdjson(
  chunks: AsyncIterable<Buffer>,
  outPath: string,
  options: { label: string; onRows?: (rows: number) => void },
): Promise<NormalizedFile & { ignoredKeys: string[] }> {
  const writer = new StagingWriter(outPath);
  const bad: BadRecord[] = [];
  let header: string[] | null = null;
  const keys = new Set<string>();
  const sample: { row: number; line: number; value: Record<string, unknown> }[] = [];
  const ignored = new Set<string>();
  let rows = 0;
  let line = 0;
  let blankLines = 0;

  const badRecord = (reason: string, raw: string) => {
    bad.push({ row: rows, line, reason, raw: raw.slice(0, RAW_SAMPLE_BYTES) });
  };
  // Column of each key: a row costs its own keys, not the width of the header.
  const columnOf = new Map<string, number>();
  let empty: string[] = [];
  const emit = (row: number, recordLine: number, value: Record<string, unknown>) => {
    const cellsOf = empty.slice();
    for (const key in value) {
      const at = columnOf.get(key);
      if (at === undefined) ignored.add(key);
      else cellsOf[at] = csvField(cellText(value[key]));
    }
    const cells = cellsOf.join(',');
    const text = `${row},${recordLine},${cells}\n`;
    // Quoting can lengthen a record; the staging reader's line limit must hold for every line.
    const size = text.length * 3 > RECORD_LIMIT_BYTES ? Buffer.byteLength(text) : text.length;
    if (size > RECORD_LIMIT_BYTES) {
      bad.push({ row, line: recordLine, reason: tooLongReason(size), raw: cells.slice(0, RAW_SAMPLE_BYTES) });
      return;
    }
    writer.push(text);
  };
  const fixHeader = () => {
    if (keys.size === 0)
      throw new ImportFileError(
        `file "${options.label}": its JSON objects have no keys, so no columns`,
        'file',
      );
    header = [...keys];
    for (const [i, k] of header.entries()) columnOf.set(k, i);
    empty = header.map(() => '');
    writer.push(`_row,_line,${header.map((_, i) => `c${i}`).join(',')}\n`);
    for (const s of sample) emit(s.row, s.line, s.value);
    sample.length = 0;
  };
  const handleLine = (bytes: Buffer) => {
    line++;
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      blankLines++;
      return;
    }
    rows++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      badRecord(`row is not valid JSON (${(err as Error).message})`, text);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      badRecord('row is not a JSON object', text);
      return;
    }
    const object = value as Record<string, unknown>;
    if (header === null) {
      for (const key in object) keys.add(key);
      if (keys.size > MAX_SOURCE_COLUMNS) {
        throw new ImportFileError(
          `file "${options.label}": its JSON objects have more than ${MAX_SOURCE_COLUMNS} distinct keys by line ${line}; ` +
            `at most ${MAX_SOURCE_COLUMNS} columns can be imported (keys start ${[...keys].slice(0, 5).join(', ')}, ...)`,
          'file',
        );
      }
      sample.push({ row: rows, line, value: object });
      if (sample.length >= KEY_SAMPLE) fixHeader();
    } else emit(rows, line, object);
  };

  try {
    let parts: Buffer[] = [];
    let partBytes = 0;
    let oversized: { head: Buffer } | null = null;
    const endLine = (last: Buffer) => {
      const size = partBytes + last.length;
      if (oversized || size > RECORD_LIMIT_BYTES) {
        const head = oversized?.head ?? Buffer.concat([...parts, last]);
        line++;
        rows++;
        badRecord(tooLongReason(size), rawSample(head));
      } else {
        let bytes = parts.length ? Buffer.concat([...parts, last]) : last;
        if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
        handleLine(bytes);
      }
      parts = [];
      partBytes = 0;
      oversized = null;
    };
    for await (const chunk of chunks) {
      let start = 0;
      let sinceYield = 0;
      for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, start)) {
        endLine(chunk.subarray(start, at));
        start = at + 1;
        // Parsing a chunk of many short objects can take a while: let other requests run.
        if (++sinceYield === 2_000) {
          sinceYield = 0;
          await setImmediate();
        }
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        partBytes += rest.length;
        if (!oversized) {
          parts.push(Buffer.from(rest));
          if (partBytes > RECORD_LIMIT_BYTES) {
            oversized = { head: Buffer.concat(parts).subarray(0, RAW_SAMPLE_BYTES) };
            parts = [];
          }
        }
      }
      await writer.maybeFlush();
      options.onRows?.(rows);
    }
    if (partBytes > 0) endLine(Buffer.alloc(0));
    if (header === null) {
      if (sample.length === 0)
        throw new ImportFileError(`file "${options.label}" holds no JSON objects`, 'file');
      fixHeader();
    }
  } finally {
    await writer.close();
  }
  const ignoredKeys = [...ignored].slice(0, IGNORED_KEYS_LISTED);
  if (ignored.size > IGNORED_KEYS_LISTED)
    ignoredKeys.push(`(and ${ignored.size - IGNORED_KEYS_LISTED} more keys)`);
  return { header: header!, rows, bad, blankLines, ignoredKeys };
}
