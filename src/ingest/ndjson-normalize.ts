import { csvField, ImportFileError } from '../schema/index.ts';
import { type BadRecord, type NormalizedFile, rawSample, StagingWriter } from './csv-normalize.ts';
import { MAX_SOURCE_COLUMNS, RAW_SAMPLE_BYTES, RECORD_LIMIT_BYTES, tooLongReason } from './limits.ts';

const KEY_SAMPLE = 1000;

/** A macrotask turn (the runtime's `setImmediate`), so requests queued behind a long parse run. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
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
  const stager = new NdjsonStager(writer, options.label);
  try {
    await splitLines(chunks, stager, async () => {
      await writer.maybeFlush();
      options.onRows?.(stager.rows);
    });
    if (stager.header === null) {
      if (stager.sampled === 0)
        throw new ImportFileError(`file "${options.label}" holds no JSON objects`, 'file');
      stager.fixHeader();
    }
  } finally {
    await writer.close();
  }
  const { ignored } = stager;
  const ignoredKeys = [...ignored].slice(0, IGNORED_KEYS_LISTED);
  if (ignored.size > IGNORED_KEYS_LISTED)
    ignoredKeys.push(`(and ${ignored.size - IGNORED_KEYS_LISTED} more keys)`);
  const { header, rows, bad, blankLines } = stager;
  return { header: header!, rows, bad, blankLines, ignoredKeys };
}

/**
 * Splits the chunks into lines (a line may span chunks; CR before LF is dropped) for the stager.
 * A line past the record limit stops being buffered: only its head is kept for quarantine.
 */
async function splitLines(
  chunks: AsyncIterable<Buffer>,
  stager: NdjsonStager,
  afterChunk: () => Promise<void>,
): Promise<void> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let oversized: { head: Buffer } | null = null;
  const endLine = (last: Buffer) => {
    const size = partBytes + last.length;
    if (oversized || size > RECORD_LIMIT_BYTES) {
      stager.tooLong(size, oversized?.head ?? Buffer.concat([...parts, last]));
    } else {
      let bytes = parts.length ? Buffer.concat([...parts, last]) : last;
      if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
      stager.handleLine(bytes);
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
        await yieldToEventLoop();
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
    await afterChunk();
  }
  if (partBytes > 0) endLine(Buffer.alloc(0));
}

/**
 * Turns NDJSON lines into staging rows. Columns are the keys of the first `KEY_SAMPLE` objects,
 * which are held back until the header is fixed; later keys are ignored (and listed).
 */
class NdjsonStager {
  readonly bad: BadRecord[] = [];
  header: string[] | null = null;
  readonly ignored = new Set<string>();
  rows = 0;
  line = 0;
  blankLines = 0;
  private readonly keys = new Set<string>();
  private readonly sample: { row: number; line: number; value: Record<string, unknown> }[] = [];
  // Column of each key: a row costs its own keys, not the width of the header.
  private readonly columnOf = new Map<string, number>();
  private empty: string[] = [];

  constructor(
    private readonly writer: StagingWriter,
    private readonly label: string,
  ) {}

  /** Objects held back while the header is not fixed yet. */
  get sampled(): number {
    return this.sample.length;
  }

  private badRecord(reason: string, raw: string): void {
    this.bad.push({ row: this.rows, line: this.line, reason, raw: raw.slice(0, RAW_SAMPLE_BYTES) });
  }

  /** A line over the record limit, quarantined by its head. */
  tooLong(size: number, head: Buffer): void {
    this.line++;
    this.rows++;
    this.badRecord(tooLongReason(size), rawSample(head));
  }

  private emit(row: number, recordLine: number, value: Record<string, unknown>): void {
    const cellsOf = this.empty.slice();
    for (const key in value) {
      const at = this.columnOf.get(key);
      if (at === undefined) this.ignored.add(key);
      else cellsOf[at] = csvField(cellText(value[key]));
    }
    const cells = cellsOf.join(',');
    const text = `${row},${recordLine},${cells}\n`;
    // Quoting can lengthen a record; the staging reader's line limit must hold for every line.
    const size = text.length * 3 > RECORD_LIMIT_BYTES ? Buffer.byteLength(text) : text.length;
    if (size > RECORD_LIMIT_BYTES) {
      this.bad.push({
        row,
        line: recordLine,
        reason: tooLongReason(size),
        raw: cells.slice(0, RAW_SAMPLE_BYTES),
      });
      return;
    }
    this.writer.push(text);
  }

  fixHeader(): void {
    if (this.keys.size === 0)
      throw new ImportFileError(`file "${this.label}": its JSON objects have no keys, so no columns`, 'file');
    const header = [...this.keys];
    this.header = header;
    for (const [i, k] of header.entries()) this.columnOf.set(k, i);
    this.empty = header.map(() => '');
    this.writer.push(`_row,_line,${header.map((_, i) => `c${i}`).join(',')}\n`);
    for (const s of this.sample) this.emit(s.row, s.line, s.value);
    this.sample.length = 0;
  }

  handleLine(bytes: Buffer): void {
    this.line++;
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      this.blankLines++;
      return;
    }
    this.rows++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.badRecord(`row is not valid JSON (${(err as Error).message})`, text);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.badRecord('row is not a JSON object', text);
      return;
    }
    const object = value as Record<string, unknown>;
    if (this.header !== null) {
      this.emit(this.rows, this.line, object);
      return;
    }
    for (const key in object) this.keys.add(key);
    if (this.keys.size > MAX_SOURCE_COLUMNS) {
      throw new ImportFileError(
        `file "${this.label}": its JSON objects have more than ${MAX_SOURCE_COLUMNS} distinct keys by line ${this.line}; ` +
          `at most ${MAX_SOURCE_COLUMNS} columns can be imported (keys start ${[...this.keys].slice(0, 5).join(', ')}, ...)`,
        'file',
      );
    }
    this.sample.push({ row: this.rows, line: this.line, value: object });
    if (this.sample.length >= KEY_SAMPLE) this.fixHeader();
  }
}
