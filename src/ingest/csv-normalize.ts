import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { ImportFileError } from '../schema/index.ts';

/** A record that could not be split into the header's columns; it goes to quarantine as is. */
export interface BadRecord {
  row: number;
  line: number;
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
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const FLUSH_BYTES = 1 << 20;
const SEPARATOR = Buffer.from(',');
const QUOTE_BYTE = Buffer.from('"');

/** Buffered writer for the staging file, honouring the stream's backpressure. */
export class StagingWriter {
  private parts: (Buffer | string)[] = [];
  private size = 0;
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path);
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
    if (!this.stream.write(data)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Writes one string value as a canonical CSV field. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  if (/[",\n\r]/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
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

function parseHeader(buf: Buffer, start: number, end: number, delim: number): string[] {
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

function checkHeader(header: string[], path: string): void {
  const empty = header.indexOf('');
  if (empty !== -1) {
    throw new ImportFileError(
      `file "${path}" has an empty column name at position ${empty + 1} of its header`,
      'file',
    );
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name))
      throw new ImportFileError(`file "${path}" names the column "${name}" twice in its header`, 'file');
    seen.add(name);
  }
}

/**
 * Streams a delimited text file into a canonical staging CSV (`_row,_line,c0,c1,...`) that
 * DuckDB reads without guessing. Records whose field count differs from the header's are
 * kept aside as bad records with their line number, never silently padded or dropped.
 */
export async function normalizeCsv(
  chunks: AsyncIterable<Buffer>,
  outPath: string,
  options: { path: string; delimiter: string; onRows?: (rows: number) => void },
): Promise<NormalizedFile> {
  const delim = options.delimiter.charCodeAt(0);
  const writer = new StagingWriter(outPath);
  let header: string[] | null = null;
  let rows = 0;
  let line = 1; // line number at the start of the current record
  let blankLines = 0;
  const bad: BadRecord[] = [];
  let carry: Buffer = Buffer.alloc(0);
  let endedWithNewline = true;

  const handleRecord = (buf: Buffer, start: number, end: number, recordLine: number, final: boolean) => {
    let stop = end;
    if (stop > start && buf[stop - 1] === CR) stop--;
    if (stop === start) {
      if (header !== null) blankLines++;
      return;
    }
    if (header === null) {
      header = parseHeader(buf, start, stop, delim);
      checkHeader(header, options.path);
      writer.push(`_row,_line,${header.map((_, i) => `c${i}`).join(',')}\n`);
      return;
    }
    rows++;
    let text: Buffer[];
    let fields: number;
    const record = buf.subarray(start, stop);
    if (delim === COMMA && record.indexOf(QUOTE) === -1) {
      // Fast path, most records: no quoting, so the bytes are already canonical.
      fields = 1;
      for (let i = 0; i < record.length; i++) if (record[i] === COMMA) fields++;
      text = [record];
    } else {
      ({ text, fields } = canonicalRecord(buf, start, stop, delim));
    }
    if (fields !== header.length) {
      const truncated = final && !endedWithNewline && fields < header.length;
      bad.push({
        row: rows,
        line: recordLine,
        reason:
          `has ${fields} field${fields === 1 ? '' : 's'}, the header has ${header.length}` +
          (truncated ? ': the file ends in the middle of this row, it looks truncated' : ''),
        raw: buf.subarray(start, Math.min(stop, start + 500)).toString('utf8'),
      });
      return;
    }
    writer.push(`${rows},${recordLine},`);
    for (const part of text) writer.push(part);
    writer.push('\n');
  };

  for await (const chunk of chunks) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let recordStart = 0;
    if (buf.indexOf(QUOTE) === -1) {
      // Fast path for chunks without quotes: records end at every newline.
      for (let nl = buf.indexOf(LF); nl !== -1; nl = buf.indexOf(LF, recordStart)) {
        handleRecord(buf, recordStart, nl, line, false);
        line++;
        recordStart = nl + 1;
      }
      carry = Buffer.from(buf.subarray(recordStart));
      await writer.maybeFlush();
      options.onRows?.(rows);
      continue;
    }
    let inQuotes = false;
    let fieldStart = true;
    let newlinesInRecord = 0;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (inQuotes) {
        if (b === QUOTE) {
          if (buf[i + 1] === QUOTE) i++;
          else inQuotes = false;
        } else if (b === LF) newlinesInRecord++;
        continue;
      }
      if (b === QUOTE && fieldStart) {
        inQuotes = true;
        fieldStart = false;
      } else if (b === LF) {
        handleRecord(buf, recordStart, i, line, false);
        line += newlinesInRecord + 1;
        newlinesInRecord = 0;
        recordStart = i + 1;
        fieldStart = true;
      } else {
        fieldStart = b === delim;
      }
    }
    carry = Buffer.from(buf.subarray(recordStart));
    if (carry.length > MAX_RECORD_BYTES) {
      throw new ImportFileError(
        `file "${options.path}": the record starting at line ${line} is longer than 16 MiB; a quote is probably never closed`,
        'file',
      );
    }
    await writer.maybeFlush();
    options.onRows?.(rows);
  }
  if (carry.length) {
    endedWithNewline = false;
    // A quote still open at the end of the file means the last record was cut off.
    let inQuotes = false;
    let fieldStart = true;
    for (let i = 0; i < carry.length; i++) {
      const b = carry[i]!;
      if (inQuotes) {
        if (b === QUOTE) {
          if (carry[i + 1] === QUOTE) i++;
          else inQuotes = false;
        }
      } else if (b === QUOTE && fieldStart) inQuotes = true;
      else fieldStart = b === delim;
    }
    if (inQuotes && header !== null) {
      rows++;
      bad.push({
        row: rows,
        line,
        reason: 'a quoted field is never closed: the file ends inside it, it looks truncated',
        raw: carry.subarray(0, 500).toString('utf8'),
      });
    } else {
      handleRecord(carry, 0, carry.length, line, true);
    }
  }
  await writer.close();
  if (header === null) throw new ImportFileError(`file "${options.path}" has no header row`, 'file');
  return { header, rows, bad, blankLines };
}
