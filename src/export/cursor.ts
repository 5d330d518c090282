/**
 * Pagination cursors: opaque to clients (base64url of packed integers with a check value), bound
 * to one version of one pull. A full pull's cursor holds the next row offset; a delta pull's the
 * merge positions in both revisions' sorted files, so the next page resumes the merge where the
 * last one stopped instead of starting over.
 */
import { InvalidInputError } from '../schema/index.ts';
import type { MergePosition } from './delta.ts';
import { sha256HexBytes } from './hash-id.ts';

export interface Cursor {
  /** Rows of the pull already sent. */
  offset: number;
  /** Rows of the whole pull (a delta's is counted once, on its first page). */
  total: number;
  /** Delta pulls: where the merge continues. */
  merge: MergePosition | null;
}

const encoder = new TextEncoder();
const FIELDS = 8;
const TAG = 8;
const CHECK = 4;

/** The first `n` bytes of the SHA-256 of `bytes`. */
function digestPrefix(bytes: Uint8Array, n: number): Uint8Array {
  return Uint8Array.from(
    sha256HexBytes(bytes)
      .slice(0, n * 2)
      .match(/../g)!,
    (h) => Number.parseInt(h, 16),
  );
}

/** 8 bytes naming the pull a cursor belongs to. */
const tagOf = (snapshot: string) => digestPrefix(encoder.encode(snapshot), TAG);

/** A check value over the payload, so an altered cursor is refused rather than misread. */
function checkOf(payload: Uint8Array): Uint8Array {
  const salted = new Uint8Array(payload.length + 16);
  salted.set(encoder.encode('lookalike-cursor'));
  salted.set(payload, 16);
  return digestPrefix(salted, CHECK);
}

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export function encodeCursor(snapshot: string, cursor: Cursor): string {
  const payload = new Uint8Array(TAG + FIELDS * 4);
  payload.set(tagOf(snapshot));
  const view = new DataView(payload.buffer);
  const m = cursor.merge;
  const fields = [
    m ? 1 : 0,
    cursor.offset,
    cursor.total,
    m?.a.chunk ?? 0,
    m?.a.row ?? 0,
    m?.b.chunk ?? 0,
    m?.b.row ?? 0,
    0,
  ];
  for (const [i, v] of fields.entries()) view.setUint32(TAG + i * 4, v);
  const out = new Uint8Array(payload.length + CHECK);
  out.set(payload);
  out.set(checkOf(payload), payload.length);
  return toBase64Url(out);
}

const invalid = () =>
  new InvalidInputError('the cursor is not valid; use the cursor from the previous page unchanged', 'cursor');

/**
 * Reads a cursor of the pull named `snapshot`.
 *
 * @throws InvalidInputError when the cursor is malformed or altered, or belongs to another pull
 *   (another version of the audience, ID form or delta base).
 */
export function decodeCursor(text: string, snapshot: string): Cursor {
  const bytes = fromBase64Url(text);
  if (!bytes || bytes.length !== TAG + FIELDS * 4 + CHECK) throw invalid();
  const payload = bytes.subarray(0, bytes.length - CHECK);
  const check = checkOf(payload);
  if (check.some((b, i) => bytes[payload.length + i] !== b)) throw invalid();
  const tag = tagOf(snapshot);
  if (tag.some((b, i) => payload[i] !== b)) {
    throw new InvalidInputError(
      'the cursor belongs to another version of this export (the audience was refreshed, or the query changed); restart the pull without a cursor',
      'cursor',
    );
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const f = Array.from({ length: FIELDS }, (_, i) => view.getUint32(TAG + i * 4));
  return {
    offset: f[1]!,
    total: f[2]!,
    merge: f[0] === 1 ? { a: { chunk: f[3]!, row: f[4]! }, b: { chunk: f[5]!, row: f[6]! } } : null,
  };
}
