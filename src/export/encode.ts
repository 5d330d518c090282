/**
 * Encoding export rows as CSV, NDJSON or Arrow IPC (stream format), one batch at a time, so a
 * pull of any size streams with memory bounded by a batch. Rows carry an ID (UTF-8 bytes, written
 * byte for byte when nothing needs escaping), a score and a rank; delta rows also an `op` (add or
 * remove), and a removed row has no score or rank (empty in CSV, null in NDJSON and Arrow). CSV
 * cells a spreadsheet would run as a formula are neutralised (see `csv-cell.ts`).
 */
import * as arrow from 'apache-arrow';
import { bytesStartFormula, csvCell } from './csv-cell.ts';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'arrow'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  arrow: 'application/vnd.apache.arrow.stream',
};

export type DeltaOp = 'add' | 'remove';

/** Rows to encode. A removed row (delta pulls) has score NaN and rank 0. */
export interface RowBatch {
  readonly length: number;
  /** UTF-8 bytes of row i's ID (a view, valid while this batch is). */
  idBytes(i: number): Uint8Array;
  score(i: number): number;
  rank(i: number): number;
  /** Delta pulls: whether row i is added or removed. */
  op?(i: number): DeltaOp;
}

/** The next batch of a pull, or null at its end. */
export type NextBatch = () => Promise<RowBatch | null>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A growable byte buffer for one chunk: rows are written as bytes, not built as strings. */
class ChunkWriter {
  buf: Uint8Array;
  at = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.at++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  /** Text known to be ASCII (numbers, fixed keys). */
  ascii(text: string): void {
    this.ensure(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.at++] = text.charCodeAt(i);
  }
  text(text: string): void {
    this.ensure(text.length * 3);
    this.at += encoder.encodeInto(text, this.buf.subarray(this.at)).written;
  }
  int(n: number): void {
    if (n < 0 || n > 0x7fffffff) {
      this.ascii(String(n));
      return;
    }
    this.ensure(10);
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    for (let i = digits - 1, v = n; i >= 0; i--, v = Math.floor(v / 10))
      this.buf[this.at + i] = 48 + (v % 10);
    this.at += digits;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/**
 * Bytes that force the string path: CSV quoting (`"` `,` CR LF) and formula neutralising (see
 * `csv-cell.ts`), or JSON escaping (`"` `\\` controls).
 */
function plainBytes(b: Uint8Array, format: 'csv' | 'ndjson'): boolean {
  if (format === 'csv' && bytesStartFormula(b)) return false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x22 || (format === 'csv' ? c === 0x2c || c === 0x0a || c === 0x0d : c === 0x5c || c < 0x20))
      return false;
  }
  return true;
}

function writeId(w: ChunkWriter, format: 'csv' | 'ndjson', bytes: Uint8Array): void {
  if (plainBytes(bytes, format)) {
    if (format === 'ndjson') w.byte(0x22);
    w.bytes(bytes);
    if (format === 'ndjson') w.byte(0x22);
    return;
  }
  const id = decoder.decode(bytes);
  w.text(format === 'csv' ? csvCell(id) : JSON.stringify(id));
}

/** The CSV header of a pull. */
export const csvHeader = (delta: boolean) => (delta ? 'id,score,rank,op\n' : 'id,score,rank\n');

function textChunk(format: 'csv' | 'ndjson', batch: RowBatch, header: string | null): Uint8Array {
  const w = new ChunkWriter(batch.length * 80 + 64);
  if (header) w.ascii(header);
  for (let i = 0; i < batch.length; i++) {
    const score = batch.score(i);
    const rank = batch.rank(i);
    const op = batch.op?.(i);
    const removed = Number.isNaN(score);
    if (format === 'csv') {
      writeId(w, format, batch.idBytes(i));
      w.byte(0x2c);
      if (!removed) w.ascii(score.toFixed(6));
      w.byte(0x2c);
      if (!removed) w.int(rank);
      if (op) {
        w.byte(0x2c);
        w.ascii(op);
      }
      w.byte(0x0a);
    } else {
      w.ascii('{"id":');
      writeId(w, format, batch.idBytes(i));
      if (removed) w.ascii(',"score":null,"rank":null');
      else {
        w.ascii(',"score":');
        w.ascii(String(Number(score.toFixed(6))));
        w.ascii(',"rank":');
        w.int(rank);
      }
      if (op) w.ascii(`,"op":"${op}"`);
      w.ascii('}\n');
    }
  }
  return w.result();
}

/** The Arrow schema of a pull: one per kind, so every batch of a stream has the same. */
const SCHEMAS = {
  full: new arrow.Schema([
    new arrow.Field('id', new arrow.Utf8(), false),
    new arrow.Field('score', new arrow.Float32(), true),
    new arrow.Field('rank', new arrow.Int32(), true),
  ]),
  delta: new arrow.Schema([
    new arrow.Field('id', new arrow.Utf8(), false),
    new arrow.Field('score', new arrow.Float32(), true),
    new arrow.Field('rank', new arrow.Int32(), true),
    new arrow.Field('op', new arrow.Utf8(), false),
  ]),
};

const OP_BYTES: Readonly<Record<DeltaOp, Uint8Array>> = {
  add: encoder.encode('add'),
  remove: encoder.encode('remove'),
};

/** A UTF-8 column from byte strings, as Arrow data. */
function utf8Data(n: number, value: (i: number) => Uint8Array): arrow.Data<arrow.Utf8> {
  let size = 0;
  for (let i = 0; i < n; i++) size += value(i).length;
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(size);
  for (let i = 0, at = 0; i < n; i++) {
    const v = value(i);
    bytes.set(v, at);
    at += v.length;
    offsets[i + 1] = at;
  }
  return arrow.makeData({
    type: new arrow.Utf8(),
    length: n,
    nullCount: 0,
    valueOffsets: offsets,
    data: bytes,
  });
}

function arrowBatch(batch: RowBatch, delta: boolean): arrow.RecordBatch {
  const n = batch.length;
  const scores = new Float32Array(n);
  const ranks = new Int32Array(n);
  // Removed rows have no score or rank: a validity bitmap marks them (bit set = present).
  const present = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const score = batch.score(i);
    if (Number.isNaN(score)) nulls++;
    else {
      present[i >> 3]! |= 1 << (i & 7);
      scores[i] = score;
      ranks[i] = batch.rank(i);
    }
  }
  const bitmap = nulls ? present : undefined;
  const children: arrow.Data[] = [
    utf8Data(n, (i) => batch.idBytes(i)),
    arrow.makeData({
      type: new arrow.Float32(),
      length: n,
      data: scores,
      nullBitmap: bitmap,
      nullCount: nulls,
    }),
    arrow.makeData({ type: new arrow.Int32(), length: n, data: ranks, nullBitmap: bitmap, nullCount: nulls }),
  ];
  if (delta) children.push(utf8Data(n, (i) => OP_BYTES[batch.op!(i)]));
  const schema = delta ? SCHEMAS.delta : SCHEMAS.full;
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }),
  );
}

/** An empty Arrow batch with the pull's columns, so an empty pull still names its schema. */
const emptyBatch: RowBatch = {
  length: 0,
  idBytes: () => new Uint8Array(0),
  score: () => 0,
  rank: () => 0,
  op: () => 'add',
};

/**
 * Streams the rows `next` yields in a format.
 *
 * @param delta - rows carry an `op` column.
 */
export function encodeRows(
  format: ExportFormat,
  delta: boolean,
  next: NextBatch,
): ReadableStream<Uint8Array> {
  let first = true;
  let writer: arrow.RecordBatchStreamWriter | null = null;
  let pending: Uint8Array[] = [];
  return new ReadableStream<Uint8Array>({
    start() {
      if (format === 'arrow') {
        writer = new arrow.RecordBatchStreamWriter();
        void (async () => {
          for await (const part of writer!) pending.push(part);
        })();
      }
    },
    async pull(controller) {
      const batch = await next();
      const wasFirst = first;
      first = false;
      if (format === 'arrow') {
        if (batch) writer!.write(arrowBatch(batch, delta));
        else {
          if (wasFirst) writer!.write(arrowBatch(emptyBatch, delta));
          writer!.finish();
        }
        // The writer yields asynchronously; let it flush what this batch produced.
        await new Promise((resolve) => setTimeout(resolve, 0));
        for (const part of pending) controller.enqueue(part);
        pending = [];
      } else if (batch) {
        controller.enqueue(textChunk(format, batch, wasFirst && format === 'csv' ? csvHeader(delta) : null));
      } else if (wasFirst && format === 'csv') {
        controller.enqueue(encoder.encode(csvHeader(delta)));
      }
      if (!batch) controller.close();
    },
  });
}
