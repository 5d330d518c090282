import * as arrow from 'apache-arrow';
import { type MembersView, openMembers, utf8Vector } from '../audience/members-file.ts';
import { InvalidInputError } from '../schema/index.ts';
import { type Cursor, decodeCursor, encodeCursor } from './cursor.ts';
import { hashMemberId, hashMemberIdInto } from './hash-id.ts';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'arrow'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  arrow: 'application/vnd.apache.arrow.stream',
};

/** The ranked members of one audience version, as the export layer reads them. */
export interface RankedIds {
  /** Which identifier the IDs are: third-party IDs may leave as they are, member IDs only hashed. */
  idKind: 'third_party' | 'member';
  /** Hash every ID (the destination asked for SHA-256); member IDs are hashed whatever this says. */
  hashIds?: boolean;
  snapshot: string;
  rows: number;
  id(i: number): string;
  /** The ID's UTF-8 bytes, when the source has them: lets the encoder skip decoding and re-encoding. */
  idBytes?(i: number): Uint8Array;
  score(i: number): number;
  rank(i: number): number;
}

export interface ExportPage {
  format: ExportFormat;
  snapshot: string;
  offset: number;
  rows: number;
  total: number;
  nextCursor: string | null;
  body: ReadableStream<Uint8Array>;
}

export interface ExportOptions {
  format: ExportFormat;
  cursor?: string | undefined;
  /** Rows per page; the whole audience when absent. */
  limit?: number | undefined;
  /** Rows encoded per chunk: bounds memory while streaming. */
  chunkRows?: number;
  /** For a delta pull: the previous version's IDs (already in export form). */
  previous?: ReadonlySet<string> | undefined;
}

const encoder = new TextEncoder();

/**
 * An audience's `members.arrow`, read through the one reader of that file
 * (`openMembers` in `audience/members-file.ts`), as ranked IDs for export.
 */
export function rankedIdsFromMembers(
  view: MembersView,
  idKind: RankedIds['idKind'],
  snapshot: string,
  options: { hashIds?: boolean } = {},
): RankedIds {
  return {
    idKind,
    hashIds: options.hashIds ?? false,
    snapshot,
    rows: view.length,
    id: view.id,
    idBytes: view.idBytes,
    score: view.score,
    rank: view.rank,
  };
}

/** Reads a `members.arrow` file's bytes as ranked IDs (see {@link rankedIdsFromMembers}). */
export function rankedIdsFromArrow(
  bytes: Uint8Array,
  idKind: RankedIds['idKind'],
  snapshot: string,
  options: { hashIds?: boolean } = {},
): RankedIds {
  return rankedIdsFromMembers(openMembers(bytes), idKind, snapshot, options);
}

/** The identifier as it may leave the system: member IDs (and any ID a destination wants hashed) as SHA-256. */
export function exportedId(source: RankedIds, i: number): string {
  const raw = source.id(i);
  return source.idKind === 'member' || source.hashIds ? hashMemberId(raw) : raw;
}

/** One logical row of a page: an index into the source, or a removed ID (delta pulls). */
type RowRef = number | string;

const NEEDS_QUOTES = /[",\r\n]/;
const csvField = (v: string) => (NEEDS_QUOTES.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

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

/** Bytes that force the string path: CSV quoting (`"` `,` CR LF) or JSON escaping (`"` `\\` controls). */
function plainBytes(b: Uint8Array, format: 'csv' | 'ndjson'): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x22 || (format === 'csv' ? c === 0x2c || c === 0x0a || c === 0x0d : c === 0x5c || c < 0x20))
      return false;
  }
  return true;
}

/** Writes one ID in export form; IDs from the file go byte to byte when nothing needs escaping. */
function writeId(w: ChunkWriter, format: 'csv' | 'ndjson', source: RankedIds, r: RowRef): void {
  const hashed = source.idKind === 'member' || source.hashIds === true;
  if (typeof r === 'number' && source.idBytes) {
    const bytes = source.idBytes(r);
    if (hashed) {
      if (format === 'ndjson') w.byte(0x22);
      w.ensure(64);
      if (hashMemberIdInto(bytes, w.buf, w.at)) {
        w.at += 64;
        if (format === 'ndjson') w.byte(0x22);
        return;
      }
      if (format === 'ndjson') w.at--;
    } else if (plainBytes(bytes, format)) {
      if (format === 'ndjson') w.byte(0x22);
      w.bytes(bytes);
      if (format === 'ndjson') w.byte(0x22);
      return;
    }
  }
  const id = typeof r === 'string' ? r : exportedId(source, r);
  w.text(format === 'csv' ? csvField(id) : JSON.stringify(id));
}

/** Encodes rows `[from, to)` of a page as CSV or NDJSON bytes; `header` on the first chunk of a CSV page. */
function textChunk(
  format: 'csv' | 'ndjson',
  source: RankedIds,
  ref: (k: number) => RowRef,
  from: number,
  to: number,
  header: boolean,
  delta: boolean,
  addedCount: number,
): Uint8Array {
  const w = new ChunkWriter((to - from) * 64 + 64);
  if (header && format === 'csv') w.ascii(delta ? 'id,score,rank,change\n' : 'id,score,rank\n');
  for (let k = from; k < to; k++) {
    const r = ref(k);
    const removed = typeof r === 'string';
    const score = removed ? 0 : source.score(r);
    const rank = removed ? -1 : source.rank(r);
    const change = delta ? (k < addedCount ? 'added' : 'removed') : null;
    if (format === 'csv') {
      writeId(w, format, source, r);
      w.byte(0x2c);
      w.ascii(score.toFixed(6));
      w.byte(0x2c);
      w.int(rank);
      if (change) {
        w.byte(0x2c);
        w.ascii(change);
      }
      w.byte(0x0a);
    } else {
      w.ascii('{"id":');
      writeId(w, format, source, r);
      w.ascii(',"score":');
      w.ascii(String(Number(score.toFixed(6))));
      w.ascii(',"rank":');
      w.int(rank);
      if (change) w.ascii(`,"change":"${change}"`);
      w.ascii('}\n');
    }
  }
  return w.result();
}

function arrowBatch(
  source: RankedIds,
  ref: (k: number) => RowRef,
  from: number,
  to: number,
  delta: boolean,
  addedCount: number,
): arrow.RecordBatch {
  const n = to - from;
  const ids = new Array<string>(n);
  const scores = new Float32Array(n);
  const ranks = new Int32Array(n);
  for (let k = from; k < to; k++) {
    const r = ref(k);
    if (typeof r === 'string') {
      ids[k - from] = r;
      ranks[k - from] = -1;
    } else {
      ids[k - from] = exportedId(source, r);
      scores[k - from] = source.score(r);
      ranks[k - from] = source.rank(r);
    }
  }
  const columns: Record<string, arrow.Vector> = {
    id: utf8Vector(ids),
    score: arrow.makeVector(scores),
    rank: arrow.makeVector(ranks),
  };
  if (delta) {
    columns.change = utf8Vector(
      Array.from({ length: n }, (_, j) => (from + j < addedCount ? 'added' : 'removed')),
    );
  }
  return new arrow.Table(columns).batches[0]!;
}

/**
 * One page of an audience export, streamed in chunks so memory stays flat whatever the page
 * size. With `previous`, the page lists the delta since that version: every current ID not in
 * it (`added`), then every previous ID no longer present (`removed`, with rank -1).
 *
 * @throws InvalidInputError for a cursor from another snapshot or a bad limit.
 */
export function exportPage(source: RankedIds, options: ExportOptions): ExportPage {
  const { format } = options;
  const cursor: Cursor = options.cursor
    ? decodeCursor(options.cursor, source.snapshot)
    : { snapshot: source.snapshot, offset: 0 };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 1)) throw new InvalidInputError(`limit must be at least 1, got ${options.limit}`, 'limit');
  const chunkRows = options.chunkRows ?? 8192;
  const delta = options.previous !== undefined;

  // The logical row list: current rows (all, or only the added ones), then removed IDs.
  let ref: (k: number) => RowRef;
  let total: number;
  let addedCount: number;
  if (!delta) {
    total = source.rows;
    addedCount = total;
    ref = (k) => k;
  } else {
    const previous = options.previous!;
    const current = new Set<string>();
    const added: number[] = [];
    for (let i = 0; i < source.rows; i++) {
      const id = exportedId(source, i);
      current.add(id);
      if (!previous.has(id)) added.push(i);
    }
    const removed = [...previous].filter((id) => !current.has(id)).sort();
    addedCount = added.length;
    total = added.length + removed.length;
    ref = (k) => (k < addedCount ? added[k]! : removed[k - addedCount]!);
  }

  const start = Math.min(cursor.offset, total);
  const end = Math.min(total, start + limit);
  const nextCursor = end < total ? encodeCursor({ snapshot: source.snapshot, offset: end }) : null;

  let at = start;
  let writer: arrow.RecordBatchStreamWriter | null = null;
  let pendingArrow: Uint8Array[] = [];
  const body = new ReadableStream<Uint8Array>({
    start() {
      if (format === 'arrow') {
        writer = new arrow.RecordBatchStreamWriter();
        void (async () => {
          for await (const part of writer!) pendingArrow.push(part);
        })();
      }
    },
    async pull(controller) {
      const stop = Math.min(end, at + chunkRows);
      const first = at === start;
      const from = at;
      at = stop;
      const finished = at >= end;
      if (format === 'arrow') {
        if (stop > from || first) writer!.write(arrowBatch(source, ref, from, stop, delta, addedCount));
        if (finished) writer!.finish();
        // The writer yields asynchronously; let it flush what this batch produced.
        await new Promise((resolve) => setTimeout(resolve, 0));
        for (const part of pendingArrow) controller.enqueue(part);
        pendingArrow = [];
      } else if (stop > from || (first && format === 'csv')) {
        controller.enqueue(textChunk(format, source, ref, from, stop, first, delta, addedCount));
      }
      if (finished) controller.close();
    },
  });
  return { format, snapshot: source.snapshot, offset: start, rows: end - start, total, nextCursor, body };
}
