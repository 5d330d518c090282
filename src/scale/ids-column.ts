/**
 * ID columns: UTF-8 bytes with row offsets, the layout shards and results store IDs in, and
 * byte-order comparison (DuckDB's `ORDER BY` of VARCHAR is byte order, so snapshot IDs are
 * sorted this way). Pure TypeScript.
 */

export interface IdBytes {
  /** Row i's ID is `bytes[offsets[i] .. offsets[i + 1])`. */
  offsets: Int32Array;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 column of IDs. */
export function encodeIds(ids: readonly string[]): IdBytes {
  const parts = ids.map((id) => encoder.encode(id));
  const offsets = new Int32Array(ids.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  const bytes = new Uint8Array(offsets[ids.length]!);
  for (let i = 0; i < parts.length; i++) bytes.set(parts[i]!, offsets[i]!);
  return { offsets, bytes };
}

/** The ID of row i. */
export function idAt(col: IdBytes, i: number): string {
  return decoder.decode(col.bytes.subarray(col.offsets[i]!, col.offsets[i + 1]!));
}

/** The IDs of rows `which`, in that order. */
export function idsAt(col: IdBytes, which: ArrayLike<number>): string[] {
  return Array.from({ length: which.length }, (_, k) => idAt(col, which[k]!));
}

/** Byte-order comparison of two UTF-8 strings (negative, 0, positive). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * UTF-16 code-unit order is UTF-8 byte order (code point order) for strings without code units
 * from U+D800 up: only surrogate pairs sort against U+E000-U+FFFF differently. IDs are almost
 * always ASCII, and encoding per comparison made sorting 10,000 IDs take about 0.3 s.
 */
const HIGH_UNITS = /[\ud800-\uffff]/;

/** Byte-order comparison of two strings. */
export function compareIdStrings(a: string, b: string): number {
  if (!HIGH_UNITS.test(a) && !HIGH_UNITS.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return compareBytes(encoder.encode(a), encoder.encode(b));
}

/** Distinct `ids` in byte order (each string is encoded at most once). */
export function sortIdStrings(ids: Iterable<string>): string[] {
  const out = [...new Set(ids)];
  if (!out.some((id) => HIGH_UNITS.test(id))) return out.sort();
  const keyed = out.map((id) => ({ id, bytes: encoder.encode(id) }));
  keyed.sort((x, y) => compareBytes(x.bytes, y.bytes));
  return keyed.map((k) => k.id);
}

/** Row of `id` in a byte-sorted column, or -1. */
export function findId(col: IdBytes, id: Uint8Array): number {
  let lo = 0;
  let hi = col.offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareBytes(col.bytes.subarray(col.offsets[mid]!, col.offsets[mid + 1]!), id);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

/** The IDs of rows `which` as a new column (bytes copied, no strings made). */
export function gatherIds(col: IdBytes, which: ArrayLike<number>): IdBytes {
  const offsets = new Int32Array(which.length + 1);
  for (let k = 0; k < which.length; k++) {
    const r = which[k]!;
    offsets[k + 1] = offsets[k]! + col.offsets[r + 1]! - col.offsets[r]!;
  }
  const bytes = new Uint8Array(offsets[which.length]!);
  for (let k = 0; k < which.length; k++) {
    const r = which[k]!;
    bytes.set(col.bytes.subarray(col.offsets[r]!, col.offsets[r + 1]!), offsets[k]!);
  }
  return { offsets, bytes };
}

/** Columns one after another. */
export function concatIds(parts: readonly IdBytes[]): IdBytes {
  const n = parts.reduce((s, p) => s + p.offsets.length - 1, 0);
  const size = parts.reduce((s, p) => s + p.offsets[p.offsets.length - 1]!, 0);
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(size);
  let row = 0;
  let at = 0;
  for (const p of parts) {
    const rows = p.offsets.length - 1;
    for (let i = 0; i < rows; i++) offsets[row + i + 1] = at + p.offsets[i + 1]!;
    bytes.set(p.bytes.subarray(0, p.offsets[rows]!), at);
    row += rows;
    at += p.offsets[rows]!;
  }
  return { offsets, bytes };
}
