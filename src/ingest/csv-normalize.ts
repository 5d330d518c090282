import { type ByteSink, csvField, ImportFileError } from '../schema/index.ts';
import { nodeFiles } from '../store/node-files.ts';
import { completeUtf8Length } from './byte-source.ts';
import { MAX_SOURCE_COLUMNS, RAW_SAMPLE_BYTES, RECORD_LIMIT_BYTES, tooLongReason } from './limits.ts';
import { RecordSplitter } from './record-splitter.ts';

/** A record that could not be split into the header's columns; it goes to quarantine as is, with a whole-sentence reason. */
export interface BadRecord {
  row: number;
  /** Line where the record starts; null where the format has no lines (Arrow). */
  line: number | null;
  reason: string;
  raw: string;
}

export interface NormalizedFile {
  /** Source column names, from the header, in file order. */
  header: string[];
  rows: number;
  bad: BadRecord[];
  blankLines: number;
}

const QUOTE = 0x22;
const CR = 0x0d;
const COMMA = 0x2c;
const FLUSH_BYTES = 1 << 20;
const SEPARATOR = Buffer.from(',');
const QUOTE_BYTE = Buffer.from('"');

/** Buffered writer for the staging file, honouring the stream's backpressure. */
export class StagingWriter {
  private parts: (Buffer | string)[] = [];
  private size = 0;
  private readonly sink: ByteSink;

  constructor(path: string) {
    this.sink = nodeFiles.sink(path);
  }

  push(part: Buffer | string): void {
    this.parts.push(part);
    this.size += part.length;
  }

  async maybeFlush(): Promise<void> {
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const data = Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    this.parts = [];
    this.size = 0;
    await this.sink.write(data);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.sink.end();
  }
}

/**
 * Splits one record's bytes into fields (RFC 4180, lenient about a stray quote inside an
 * unquoted field) and returns them as canonical CSV text, plus the field count.
 */
function canonicalRecord(
  buf: Buffer,
  start: number,
  end: number,
  delim: number,
): { text: Buffer[]; fields: number } {
  const out: Buffer[] = [];
  let fields = 0;
  let i = start;
  for (;;) {
    if (fields > 0) out.push(SEPARATOR);
    fields++;
    if (i < end && buf[i] === QUOTE) {
      // Quoted field: content up to the closing quote; doubled quotes stay doubled (canonical).
      let j = i + 1;
      for (;;) {
        if (j >= end) break;
        if (buf[j] === QUOTE) {
          if (buf[j + 1] === QUOTE && j + 1 < end) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      const content = buf.subarray(i + 1, Math.min(j, end));
      let k = j + 1;
      while (k < end && buf[k] !== delim) k++;
      if (k > j + 1) {
        // Text after the closing quote: keep it as part of the value, re-escaped.
        const value =
          content.toString('utf8').replaceAll('""', '"') + buf.subarray(j + 1, k).toString('utf8');
        out.push(Buffer.from(csvField(value) === value ? `"${value}"` : csvField(value)));
      } else {
        out.push(QUOTE_BYTE, content, QUOTE_BYTE);
      }
      if (k >= end) break;
      i = k + 1;
      continue;
    }
    let j = i;
    let special = false;
    while (j < end && buf[j] !== delim) {
      const b = buf[j]!;
      if (b === QUOTE || (delim !== COMMA && b === COMMA)) special = true;
      j++;
    }
    const raw = buf.subarray(i, j);
    out.push(special ? Buffer.from(csvField(raw.toString('utf8'))) : raw);
    if (j >= end) break;
    i = j + 1;
  }
  return { text: out, fields };
}

export function parseHeader(buf: Buffer, start: number, end: number, delim: number): string[] {
  const names: string[] = [];
  let i = start;
  for (;;) {
    let value: string;
    if (buf[i] === QUOTE) {
      let j = i + 1;
      while (j < end && !(buf[j] === QUOTE && buf[j + 1] !== QUOTE)) j += buf[j] === QUOTE ? 2 : 1;
      value = buf
        .subarray(i + 1, j)
        .toString('utf8')
        .replaceAll('""', '"');
      i = j + 1;
      while (i < end && buf[i] !== delim) i++;
    } else {
      let j = i;
      while (j < end && buf[j] !== delim) j++;
      value = buf.subarray(i, j).toString('utf8');
      i = j;
    }
    names.push(value.trim());
    if (i >= end) break;
    i++;
  }
  return names;
}

/** Refuses a header with an empty, repeated or excessive number of column names. */
export function checkHeader(header: string[], label: string): void {
  if (header.length > MAX_SOURCE_COLUMNS) {
    throw new ImportFileError(
      `file "${label}" has ${header.length} columns in its header; at most ${MAX_SOURCE_COLUMNS} can be imported`,
      'file',
    );
  }
  const empty = header.indexOf('');
  if (empty !== -1) {
    throw new ImportFileError(
      `file "${label}" has an empty column name at position ${empty + 1} of its header`,
      'file',
    );
  }
  // Names end up in SQL literals and JSON keys; a control character is never part of a real name.
  const isControl = (code: number) => code < 0x20 || code === 0x7f;
  const control = header.findIndex((name) => [...name].some((ch) => isControl(ch.charCodeAt(0))));
  if (control !== -1) {
    throw new ImportFileError(
      `file "${label}": column ${control + 1} of its header, ${JSON.stringify(header[control])}, contains a control character`,
      'file',
    );
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name))
      throw new ImportFileError(`file "${label}" names the column "${name}" twice in its header`, 'file');
    seen.add(name);
  }
}

const partsLength = (parts: readonly Buffer[]) => parts.reduce((n, p) => n + p.length, 0);

/** The start of a raw record as text, cut at a character boundary. */
export function rawSample(bytes: Buffer): string {
  const head = bytes.subarray(0, RAW_SAMPLE_BYTES);
  return head.subarray(0, completeUtf8Length(head)).toString('utf8');
}

/**
 * Streams a delimited text file into a canonical staging CSV (`_row,_line,c0,c1,...`) that
 * DuckDB reads without guessing. Every record after the header becomes a staged row or a bad
 * record with its line number and reason (wrong field count, cut off by the end of the file,
 * longer than the record limit): none is silently padded or dropped.
 */
export async function normalizeCsv(
  chunks: AsyncIterable<Buffer>,
  outPath: string,
  options: { label: string; delimiter: string; onRows?: (rows: number) => void },
): Promise<NormalizedFile> {
  const writer = new StagingWriter(outPath);
  const splitter = new RecordSplitter(options.delimiter.charCodeAt(0));
  const stager = new CsvStager(writer, options.delimiter.charCodeAt(0), options.label);
  try {
    for await (const chunk of chunks) {
      stager.take(splitter.push(chunk), false);
      await writer.maybeFlush();
      options.onRows?.(stager.rows);
    }
    const tail = splitter.finish();
    if (tail.record) {
      if (tail.inQuotes && tail.record.kind === 'oversized') {
        throw new ImportFileError(
          `file "${options.label}": the quoted field opened in the record at line ${stager.line} is never closed, ` +
            `so the rest of the file (${tooLongReason(tail.record.size).replace('record is ', '')}) would be one record; check the quoting`,
          'file',
        );
      }
      if (tail.inQuotes && stager.header !== null) {
        const raw = tail.record.kind === 'record' ? tail.record.bytes : tail.record.head;
        stager.badRecord(
          'row has a quoted field that is never closed: the file ends inside it, it looks truncated',
          raw,
        );
      } else stager.take([tail.record], true);
    }
  } finally {
    await writer.close();
  }
  const { header, rows, bad, blankLines } = stager;
  if (header === null) throw new ImportFileError(`file "${options.label}" has no header row`, 'file');
  return { header, rows, bad, blankLines };
}

/** Turns split records into staging rows: the first is the header, the rest are checked against it. */
class CsvStager {
  header: string[] | null = null;
  rows = 0;
  /** Line number at the start of the current record. */
  line = 1;
  blankLines = 0;
  readonly bad: BadRecord[] = [];

  constructor(
    private readonly writer: StagingWriter,
    private readonly delim: number,
    private readonly label: string,
  ) {}

  badRecord(reason: string, raw: Buffer): void {
    this.rows++;
    this.bad.push({ row: this.rows, line: this.line, reason, raw: rawSample(raw) });
  }

  take(records: ReturnType<RecordSplitter['push']>, final: boolean): void {
    for (const r of records) {
      if (r.kind === 'oversized') {
        if (this.header === null) {
          throw new ImportFileError(
            `file "${this.label}": its header row is ${tooLongReason(r.size).replace('record is ', '')}`,
            'file',
          );
        }
        this.badRecord(tooLongReason(r.size), r.head);
      } else this.handleRecord(r.bytes, final);
      this.line += r.newlines + 1;
    }
  }

  private handleRecord(record: Buffer, final: boolean): void {
    const { delim } = this;
    let stop = record.length;
    if (stop > 0 && record[stop - 1] === CR) stop--;
    if (stop === 0) {
      if (this.header !== null) this.blankLines++;
      return;
    }
    if (this.header === null) {
      const header = parseHeader(record, 0, stop, delim);
      checkHeader(header, this.label);
      this.header = header;
      this.writer.push(`_row,_line,${header.map((_, i) => `c${i}`).join(',')}\n`);
      return;
    }
    let text: Buffer[];
    let fields: number;
    const body = record.subarray(0, stop);
    if (delim === COMMA && body.indexOf(QUOTE) === -1) {
      // Most records: no quoting, so the bytes are already canonical.
      fields = 1;
      for (let at = body.indexOf(COMMA); at !== -1; at = body.indexOf(COMMA, at + 1)) fields++;
      text = [body];
    } else {
      ({ text, fields } = canonicalRecord(record, 0, stop, delim));
    }
    const width = this.header.length;
    if (fields !== width) {
      const truncated = final && fields < width;
      this.badRecord(
        `row has ${fields} field${fields === 1 ? '' : 's'}, the header has ${width}` +
          (truncated ? ': the file ends in the middle of this row, it looks truncated' : ''),
        body,
      );
      return;
    }
    // Re-quoting can lengthen a record; the staging reader's line limit must hold for every line.
    const size = partsLength(text);
    if (size > RECORD_LIMIT_BYTES) {
      this.badRecord(tooLongReason(size), body);
      return;
    }
    this.rows++;
    this.writer.push(`${this.rows},${this.line},`);
    for (const part of text) this.writer.push(part);
    this.writer.push('\n');
  }
}
