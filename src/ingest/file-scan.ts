import { ImportFileError } from '../schema/index.ts';
import { nodeFiles as files } from '../store/node-files.ts';
import { asBuffer, checkReadable, completeUtf8Length } from './byte-source.ts';

const isUtf8 = (bytes: Uint8Array) => files.isUtf8(bytes);

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const CHUNK_BYTES = 4 << 20;
/** Longest header kept from the scan; a longer one leaves the file to the normaliser. */
const HEADER_BYTES = 1 << 20;
/** Longest line DuckDB reads from a user's file directly; longer ones go through the normaliser. */
export const DIRECT_LINE_LIMIT = 1 << 20;
const PEEK_BYTES = 64 * 1024;

/** What one read of a file's raw bytes tells: its content hash and whether it is a plain text table. */
export interface FileScan {
  bytes: number;
  /** SHA-256 of the bytes as stored (compressed if the file is gzip), hex. */
  sha256: string;
  gzip: boolean;
  /** Facts about the text; null for gzip files, whose text only the normaliser reads. */
  text: TextFacts | null;
}

export interface TextFacts {
  validUtf8: boolean;
  bom: boolean;
  /** Any `"` (quoting), CR (Windows line ends) or blank line changes how lines map to records. */
  hasQuote: boolean;
  hasCR: boolean;
  hasBlankLine: boolean;
  longestLineBytes: number;
  /** Lines, counting a last line without a newline; a trailing newline does not start another. */
  lines: number;
  /** The first line without BOM and newline, when shorter than 1 MiB. */
  firstLine: Buffer | null;
}

class TextScanner {
  validUtf8 = true;
  bom = false;
  hasQuote = false;
  hasCR = false;
  hasBlankLine = false;
  longestLineBytes = 0;
  lines = 0;
  private offset = 0;
  private lineStart = 0;
  private utf8Carry: Buffer = Buffer.alloc(0);
  private head: Buffer[] = [];
  private headBytes = 0;
  private firstLineDone = false;

  push(chunk: Buffer): void {
    if (this.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      this.bom = true;
      this.lineStart = 3;
    }
    if (!this.hasQuote && chunk.indexOf(QUOTE) !== -1) this.hasQuote = true;
    if (!this.hasCR && chunk.indexOf(CR) !== -1) this.hasCR = true;
    this.checkUtf8(chunk);
    let searchFrom = 0;
    for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, searchFrom)) {
      const end = this.offset + at;
      this.endLine(end, chunk, at);
      this.lineStart = end + 1;
      searchFrom = at + 1;
    }
    if (!this.firstLineDone) this.keepHead(chunk.subarray(Math.max(0, this.lineStart - this.offset)));
    this.offset += chunk.length;
  }

  finish(): TextFacts {
    if (this.offset > this.lineStart) this.endLine(this.offset, null, -1);
    if (this.utf8Carry.length) this.validUtf8 = false;
    const firstLine = this.firstLineDone && this.headBytes <= HEADER_BYTES ? Buffer.concat(this.head) : null;
    return {
      validUtf8: this.validUtf8,
      bom: this.bom,
      hasQuote: this.hasQuote,
      hasCR: this.hasCR,
      hasBlankLine: this.hasBlankLine,
      longestLineBytes: this.longestLineBytes,
      lines: this.lines,
      firstLine,
    };
  }

  private endLine(end: number, chunk: Buffer | null, at: number): void {
    const length = end - this.lineStart;
    if (length === 0) this.hasBlankLine = true;
    if (length > this.longestLineBytes) this.longestLineBytes = length;
    this.lines++;
    if (!this.firstLineDone) {
      if (chunk) this.keepHead(chunk.subarray(Math.max(0, this.lineStart - this.offset), at));
      this.firstLineDone = true;
    }
  }

  private keepHead(part: Buffer): void {
    if (this.firstLineDone || this.headBytes > HEADER_BYTES) return;
    this.head.push(Buffer.from(part));
    this.headBytes += part.length;
  }

  /** Validates UTF-8 chunk by chunk; a character split between chunks is checked whole. */
  private checkUtf8(chunk: Buffer): void {
    if (!this.validUtf8) return;
    let start = 0;
    if (this.utf8Carry.length) {
      while (start < 3 && start < chunk.length && (chunk[start]! & 0xc0) === 0x80) start++;
      if (!isUtf8(Buffer.concat([this.utf8Carry, chunk.subarray(0, start)]))) this.validUtf8 = false;
    }
    const end = start + completeUtf8Length(chunk.subarray(start));
    if (!isUtf8(chunk.subarray(start, end))) this.validUtf8 = false;
    this.utf8Carry = Buffer.from(chunk.subarray(end));
  }
}

/**
 * Reads a file once: its SHA-256 (the import log's content hash) and, for plain text, the facts
 * that decide whether DuckDB can read it directly (one record per line, valid UTF-8, no quoting)
 * or the normaliser must. Runs at memchr speed; the hash dominates.
 */
export async function scanFile(
  path: string,
  label: string,
  onFraction?: (fraction: number) => void,
): Promise<FileScan> {
  const size = await checkReadable(path, label);
  const hash = files.sha256();
  let bytes = 0;
  let gzip = false;
  let scanner: TextScanner | null = null;
  try {
    for await (const raw of files.chunks(path, { chunkBytes: CHUNK_BYTES })) {
      const chunk = asBuffer(raw);
      if (bytes === 0) {
        gzip = chunk[0] === 0x1f && chunk[1] === 0x8b;
        if (!gzip) scanner = new TextScanner();
      }
      hash.update(chunk);
      scanner?.push(chunk);
      bytes += chunk.length;
      onFraction?.(bytes / size);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportFileError(
      code === 'ENOENT' ? `file "${label}" does not exist` : `file "${label}" cannot be read (${code})`,
      'file',
    );
  }
  return { bytes, sha256: hash.hex(), gzip, text: scanner?.finish() ?? null };
}

/**
 * Whether DuckDB may read the text as it lies: one record per line (no quoting, no blank
 * line, no CR), valid UTF-8 and no line too long. Anything else goes through the normaliser,
 * which numbers records and lines itself and quarantines what it cannot split.
 */
export function directlyReadable(text: TextFacts | null): text is TextFacts & { firstLine: Buffer } {
  return Boolean(
    text?.validUtf8 &&
      !text.hasQuote &&
      !text.hasCR &&
      !text.hasBlankLine &&
      text.longestLineBytes <= DIRECT_LINE_LIMIT &&
      text.firstLine &&
      text.lines >= 1,
  );
}

/**
 * The first 64 KiB of a file: enough to tell whether a direct read is worth starting while
 * the full scan runs beside it. Returns the header line when the start looks directly readable.
 */
export async function peekHeader(path: string): Promise<Buffer | null> {
  const bytes = asBuffer(await files.head(path, PEEK_BYTES));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return null;
  // Whole lines only, so no character is cut; the full scan confirms the rest of the file.
  const end = bytes.lastIndexOf(LF);
  if (end === -1) return null;
  const scanner = new TextScanner();
  scanner.push(bytes.subarray(0, end + 1));
  const text = scanner.finish();
  if (!directlyReadable(text)) return null;
  return text.firstLine;
}
