import { ImportFileError } from '../schema/index.ts';
import { nodeFiles as files } from '../store/node-files.ts';

export type Encoding = 'utf-8' | 'shift_jis' | 'utf-16le';
export type EncodingOption = Encoding | 'auto';

export const ENCODINGS: readonly EncodingOption[] = ['auto', 'utf-8', 'shift_jis', 'utf-16le'];

const SNIFF_BYTES = 64 * 1024;
const CHUNK_BYTES = 1 << 20;

export interface ByteSource {
  /** UTF-8 bytes of the file's content, decompressed and transcoded, without a BOM. */
  chunks: AsyncGenerator<Buffer>;
  encoding: Encoding;
  compressed: boolean;
  /** Size of the file on disk, and a live count of how much of it has been read, for progress. */
  fileBytes: number;
  bytesRead: () => number;
}

/** A Buffer view of bytes from the file port (no copy): the parsers use Buffer's search and concat. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const isUtf8 = (bytes: Uint8Array) => files.isUtf8(bytes);

/** Checks the path names a readable, non-empty regular file, with a message naming it by `label`. */
export async function checkReadable(path: string, label = path): Promise<number> {
  let info: { size: number; isFile: boolean };
  try {
    info = await files.stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportFileError(
      code === 'ENOENT' ? `file "${label}" does not exist` : `file "${label}" cannot be read (${code})`,
      'file',
    );
  }
  if (!info.isFile) throw new ImportFileError(`"${label}" is not a regular file`, 'file');
  if (info.size === 0) throw new ImportFileError(`file "${label}" is empty (0 bytes)`, 'file');
  return info.size;
}

export async function isGzip(path: string): Promise<boolean> {
  const head = await files.head(path, 2);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Length of `buf` without an incomplete UTF-8 sequence at its end. */
export function completeUtf8Length(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = buf[n - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Offset of the first byte where `buf` stops being valid UTF-8 (binary search over prefixes). */
function firstInvalidUtf8(buf: Buffer): number {
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (isUtf8(buf.subarray(0, completeUtf8Length(buf.subarray(0, mid))))) lo = mid;
    else hi = mid - 1;
  }
  return completeUtf8Length(buf.subarray(0, lo));
}

function countNewlines(buf: Buffer, end = buf.length): number {
  let n = 0;
  let at = buf.indexOf(10);
  while (at !== -1 && at < end) {
    n++;
    at = buf.indexOf(10, at + 1);
  }
  return n;
}

function sniffEncoding(head: Buffer, label: string): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) {
    throw new ImportFileError(
      `file "${label}" is UTF-16 big-endian, which is not supported; save it as UTF-8`,
      'encoding',
    );
  }
  if (isUtf8(head.subarray(0, completeUtf8Length(head)))) return 'utf-8';
  try {
    new TextDecoder('shift_jis', { fatal: true }).decode(head, { stream: true });
    return 'shift_jis';
  } catch {
    throw new ImportFileError(
      `cannot tell the encoding of "${label}": its first ${head.length} bytes are neither valid UTF-8 nor Shift_JIS; pass the encoding explicitly (utf-8, shift_jis, utf-16le)`,
      'encoding',
    );
  }
}

/** What a failed read of the file means to the user; zlib's codes say truncated or corrupt. */
function readError(err: unknown, label: string, compressedBytes: number): Error {
  if (err instanceof ImportFileError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String(err))) {
    return new ImportFileError(
      `file "${label}" is truncated: its gzip stream ends before the end marker (after ${compressedBytes} compressed bytes)`,
      'file',
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ImportFileError(
      `file "${label}" is corrupt: gzip data error (${(err as Error).message})`,
      'file',
    );
  }
  if (typeof code === 'string')
    return new ImportFileError(`file "${label}" could not be read (${code})`, 'file');
  return err as Error;
}

async function* rawChunks(
  path: string,
  label: string,
  gzip: boolean,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of files.chunks(path, {
      chunkBytes: CHUNK_BYTES,
      gunzip: gzip,
      onRead: (bytes) => {
        counter.bytes += bytes;
      },
    }))
      yield asBuffer(chunk);
  } catch (err) {
    throw readError(err, label, counter.bytes);
  }
}

/**
 * Opens a text file (plain or gzip) as a stream of UTF-8 chunks. The encoding is sniffed from
 * the first 64 KiB unless given; bytes invalid in the chosen encoding fail the whole file with
 * their line number, because a mis-decoded file would corrupt every text column silently.
 */
export async function openTextSource(
  path: string,
  encodingOption: EncodingOption = 'auto',
  label = path,
): Promise<ByteSource> {
  const fileBytes = await checkReadable(path, label);
  const compressed = await isGzip(path);
  const counter = { bytes: 0 };
  const source = rawChunks(path, label, compressed, counter);

  // Read ahead enough to sniff, keeping what was read for the output.
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  while (pendingBytes < SNIFF_BYTES) {
    const next = await source.next();
    if (next.done) break;
    pending.push(next.value);
    pendingBytes += next.value.length;
  }
  const head = Buffer.concat(pending).subarray(0, SNIFF_BYTES);
  if (pendingBytes === 0)
    throw new ImportFileError(`file "${label}" has no content after decompression`, 'file');
  const encoding = encodingOption === 'auto' ? sniffEncoding(head, label) : encodingOption;

  async function* all(): AsyncGenerator<Buffer> {
    yield* pending;
    yield* source;
  }

  return {
    chunks:
      encoding === 'utf-8'
        ? utf8Chunks(all(), label, encodingOption)
        : transcodedChunks(all(), label, encoding),
    encoding,
    compressed,
    fileBytes,
    bytesRead: () => counter.bytes,
  };
}

/** UTF-8 input checked chunk by chunk (a character split across chunks is checked whole), BOM dropped. */
async function* utf8Chunks(
  all: AsyncIterable<Buffer>,
  label: string,
  encodingOption: EncodingOption,
): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  let lines = 0;
  for await (const chunk of all) {
    let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (first) {
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      first = false;
    }
    const end = completeUtf8Length(buf);
    const body = buf.subarray(0, end);
    if (!isUtf8(body)) {
      const at = firstInvalidUtf8(body);
      throw new ImportFileError(
        `file "${label}" is not valid UTF-8 at line ${lines + countNewlines(body, at) + 1} (byte 0x${body[at]!.toString(16)})` +
          (encodingOption === 'auto'
            ? '; the start of the file looked like UTF-8: if it is Shift_JIS, pass encoding shift_jis'
            : ''),
        'encoding',
      );
    }
    lines += countNewlines(body);
    carry = Buffer.from(buf.subarray(end));
    if (body.length) yield body;
  }
  if (carry.length) {
    throw new ImportFileError(
      `file "${label}" ends inside a UTF-8 character: it is truncated or not UTF-8`,
      'encoding',
    );
  }
}

/** Input in another encoding, decoded strictly and re-encoded as UTF-8. */
async function* transcodedChunks(
  all: AsyncIterable<Buffer>,
  label: string,
  encodingName: Encoding,
): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encodingName, { fatal: true, ignoreBOM: false });
  let lines = 0;
  for await (const chunk of all) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new ImportFileError(
        `file "${label}" is not valid ${encodingName} after line ${lines + 1}; check the encoding (utf-8, shift_jis, utf-16le)`,
        'encoding',
      );
    }
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    if (text.length) yield Buffer.from(text, 'utf8');
  }
  try {
    const rest = decoder.decode();
    if (rest.length) yield Buffer.from(rest, 'utf8');
  } catch {
    throw new ImportFileError(
      `file "${label}" ends inside a ${encodingName} character: it is truncated`,
      'encoding',
    );
  }
}
