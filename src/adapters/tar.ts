import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type LivedoorDoc, parseLivedoor } from '../needs/index.ts';
import { InvalidInputError } from '../schema/index.ts';

export interface TarEntry {
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function field(header: Buffer, from: number, length: number): string {
  const raw = header.subarray(from, from + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

/**
 * Reads the regular files of a tar or tar.gz archive (ustar and GNU long names), in archive
 * order. Enough for datasets shipped as archives; no dependency.
 *
 * @param path archive path (`.tar` or `.tar.gz`/`.tgz`, detected by the gzip magic bytes)
 * @returns the files with their paths and contents
 * @throws InvalidInputError when the archive is truncated or a header is corrupt
 * @example
 * const files = readTar('../shared/data/livedoor/ldcc_text.tar.gz');
 * files.length; // 7,376
 */
export function readTar(path: string): TarEntry[] {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const out: TarEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    // The checksum counts the checksum field itself as eight spaces.
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    const stored = Number.parseInt(field(header, 148, 8).trim(), 8);
    if (stored !== sum)
      throw new InvalidInputError(`${path}: corrupt tar header at byte ${offset}`, 'archive');
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const prefix = field(header, 345, 155);
    const start = offset + BLOCK;
    if (start + size > bytes.length) throw new InvalidInputError(`${path}: archive is truncated`, 'archive');
    const data = bytes.subarray(start, start + size);
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
    } else {
      const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
      longName = null;
      if (type === '0' || type === '\0') out.push({ name, data: Buffer.from(data) });
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

/**
 * Reads the livedoor news corpus archive (`ldcc_text.tar.gz`) into articles with their fixed
 * split (see `parseLivedoor`).
 *
 * @param path the tar.gz
 * @throws InvalidInputError when the archive is damaged or holds no livedoor articles
 * @example
 * const docs = readLivedoor('../shared/data/livedoor/ldcc_text.tar.gz');
 * docs.length; // 7,367
 */
export function readLivedoor(path: string): LivedoorDoc[] {
  return parseLivedoor(readTar(path), path);
}
