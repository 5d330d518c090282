/**
 * The one binary layout of every scale file (snapshot shards, per-shard results): a JSON header
 * and named little-endian typed-array columns, each 8-byte aligned, so a reader maps a column
 * onto the file's bytes without parsing or copying. Pure TypeScript (runs in workerd).
 *
 * Layout:
 *   bytes 0-7    magic `LKCOLS01`
 *   bytes 8-11   u32 header length H
 *   bytes 12..   H bytes of UTF-8 JSON: `{ "meta": {...}, "columns": [{ "name", "type", "length" }] }`
 *   then, from the next multiple of 8, each column's bytes in header order, each padded to 8.
 * A file whose length is not exactly what its header implies is rejected (a truncated upload is
 * an error, never a shorter shard).
 */

export type ColumnType = 'i32' | 'u32' | 'f32' | 'u8' | 'u16';
export type ColumnArray = Int32Array | Uint32Array | Float32Array | Uint8Array | Uint16Array;

const MAGIC = 'LKCOLS01';
const CTOR = {
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  u8: Uint8Array,
  u16: Uint16Array,
} as const;

/** A decoded file: its metadata and columns (views on the file's bytes when aligned). */
export interface ColumnsFile<M> {
  meta: M;
  columns: Record<string, ColumnArray>;
}

/** A file that does not decode: what is wrong and which file. */
export class CorruptFileError extends Error {
  override readonly name = 'CorruptFileError';
}

function typeOf(a: ColumnArray): ColumnType {
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Uint16Array) return 'u16';
  return 'u8';
}

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * Encodes metadata and columns into one file.
 *
 * @example
 * const bytes = encodeColumns({ shard: 3 }, { logits: new Float32Array([0.5, -1]) });
 */
export function encodeColumns(meta: unknown, columns: Readonly<Record<string, ColumnArray>>): Uint8Array {
  const entries = Object.entries(columns);
  const header = new TextEncoder().encode(
    JSON.stringify({
      meta,
      columns: entries.map(([name, a]) => ({ name, type: typeOf(a), length: a.length })),
    }),
  );
  let size = pad8(12 + header.length);
  for (const [, a] of entries) size += pad8(a.byteLength);
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  let at = pad8(12 + header.length);
  for (const [, a] of entries) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  return out;
}

/**
 * Decodes a file written by `encodeColumns`.
 *
 * @param name - the file's name, for error messages.
 * @throws CorruptFileError when the magic, header or length is wrong.
 */
export function decodeColumns<M>(bytes: Uint8Array, name: string): ColumnsFile<M> {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new CorruptFileError(`${name} is not a scale columns file (expected magic ${MAGIC})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(8, true);
  if (12 + h > bytes.length)
    throw new CorruptFileError(`${name}: header of ${h} bytes runs past the file end`);
  let header: { meta: M; columns: { name: string; type: ColumnType; length: number }[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
  } catch {
    throw new CorruptFileError(`${name}: the header is not JSON`);
  }
  let expected = pad8(12 + h);
  for (const c of header.columns) expected += pad8(c.length * CTOR[c.type].BYTES_PER_ELEMENT);
  if (expected !== bytes.length) {
    throw new CorruptFileError(
      `${name} has ${bytes.length} bytes but its header describes ${expected} (truncated?)`,
    );
  }
  // Views need the column start to be aligned in the underlying buffer; copy once if it is not.
  const base = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const columns: Record<string, ColumnArray> = {};
  let at = pad8(12 + h);
  for (const c of header.columns) {
    const Ctor = CTOR[c.type];
    columns[c.name] = new Ctor(base.buffer as ArrayBuffer, base.byteOffset + at, c.length);
    at += pad8(c.length * Ctor.BYTES_PER_ELEMENT);
  }
  return { meta: header.meta, columns };
}

/** A column of a decoded file, checked for presence and type. */
export function column<T extends ColumnArray>(
  file: ColumnsFile<unknown>,
  name: string,
  type: new (...args: never[]) => T,
  fileName: string,
): T {
  const c = file.columns[name];
  if (!(c instanceof type)) throw new CorruptFileError(`${fileName} has no ${type.name} column "${name}"`);
  return c;
}
