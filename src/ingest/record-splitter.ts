import { RAW_SAMPLE_BYTES, RECORD_LIMIT_BYTES } from './limits.ts';

const QUOTE = 0x22;
const LF = 0x0a;

/** One record of a delimited text file, or the size and start of one too long to keep. */
export type SplitRecord =
  | { kind: 'record'; bytes: Buffer; newlines: number }
  | { kind: 'oversized'; size: number; head: Buffer; newlines: number };

/** What is left after the last newline of the file. */
export interface SplitTail {
  record: SplitRecord | null;
  /** The file ended inside a quoted field. */
  inQuotes: boolean;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let at = buf.indexOf(LF, from); at !== -1 && at < to; at = buf.indexOf(LF, at + 1)) n++;
  return n;
}

/**
 * Splits a byte stream into records at newlines outside quoted fields (RFC 4180; a quote opens
 * a quoted field only at the start of a field, so a stray quote inside a value is just text).
 * Quote state survives chunk boundaries, so each byte is scanned once, and it jumps from quote
 * to newline with `indexOf`. A record longer than the limit is not kept: only its size, first
 * bytes and line count, so one huge or unterminated record cannot exhaust memory.
 */
export class RecordSplitter {
  private inQuotes = false;
  /** A quote ended the last chunk inside a quoted field: the next byte says closing or escaped. */
  private quotePending = false;
  /** Last byte of the current record seen so far, -1 at its start. */
  private prev = -1;
  private parts: Buffer[] = [];
  private size = 0;
  private newlines = 0;
  private head: Buffer | null = null;

  constructor(private readonly delimiter: number) {}

  /** Records completed by `chunk`, in order. */
  push(chunk: Buffer): SplitRecord[] {
    const out: SplitRecord[] = [];
    const n = chunk.length;
    if (n === 0) return out;
    let i = 0;
    let recordStart = 0;
    let carriedPrev = this.prev;
    if (this.quotePending) {
      this.quotePending = false;
      if (n > 0 && chunk[0] === QUOTE) i = 1;
      else this.inQuotes = false;
      carriedPrev = QUOTE;
    }
    let nextQuote = chunk.indexOf(QUOTE, i);
    while (i < n) {
      if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
      if (this.inQuotes) {
        const stop = nextQuote === -1 ? n : nextQuote;
        this.newlines += countNewlines(chunk, i, stop);
        if (nextQuote === -1) {
          i = n;
          break;
        }
        if (nextQuote + 1 === n) {
          this.quotePending = true;
          i = n;
          break;
        }
        if (chunk[nextQuote + 1] === QUOTE) i = nextQuote + 2;
        else {
          this.inQuotes = false;
          i = nextQuote + 1;
        }
        continue;
      }
      const newline = chunk.indexOf(LF, i);
      if (nextQuote !== -1 && (newline === -1 || nextQuote < newline)) {
        const before = nextQuote > recordStart ? chunk[nextQuote - 1]! : recordStart === 0 ? carriedPrev : -1;
        if (before === -1 || before === this.delimiter) this.inQuotes = true;
        i = nextQuote + 1;
        continue;
      }
      if (newline === -1) break;
      out.push(this.complete(chunk.subarray(recordStart, newline)));
      i = newline + 1;
      recordStart = i;
      carriedPrev = -1;
    }
    if (recordStart < n) {
      this.keep(chunk.subarray(recordStart));
      this.prev = chunk[n - 1]!;
    } else if (recordStart === n) this.prev = -1;
    return out;
  }

  /** The record after the last newline, if any, and whether the file ended inside quotes. */
  finish(): SplitTail {
    const inQuotes = this.inQuotes && !this.quotePending;
    if (this.size === 0 && this.head === null) return { record: null, inQuotes: false };
    return { record: this.complete(Buffer.alloc(0)), inQuotes };
  }

  private keep(part: Buffer): void {
    this.size += part.length;
    if (this.head !== null) return;
    this.parts.push(Buffer.from(part));
    if (this.size > RECORD_LIMIT_BYTES) {
      this.head = Buffer.concat(this.parts).subarray(0, RAW_SAMPLE_BYTES);
      this.parts = [];
    }
  }

  private complete(last: Buffer): SplitRecord {
    const size = this.size + last.length;
    const newlines = this.newlines;
    let record: SplitRecord;
    if (this.head !== null || size > RECORD_LIMIT_BYTES) {
      const head = this.head ?? Buffer.concat([...this.parts, last.subarray(0, RAW_SAMPLE_BYTES)]);
      record = { kind: 'oversized', size, head: head.subarray(0, RAW_SAMPLE_BYTES), newlines };
    } else {
      record = {
        kind: 'record',
        bytes: this.parts.length ? Buffer.concat([...this.parts, last]) : last,
        newlines,
      };
    }
    this.parts = [];
    this.size = 0;
    this.newlines = 0;
    this.head = null;
    this.prev = -1;
    return record;
  }
}
