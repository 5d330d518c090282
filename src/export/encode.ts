import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../schema/index.ts';
import { type Cursor, decodeCursor, encodeCursor } from './cursor.ts';
import { hashMemberId } from './hash-id.ts';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'arrow'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  arrow: 'application/vnd.apache.arrow.stream',
};

/** The ranked members of one audience version, as read from its `members.arrow`. */
export interface RankedIds {
  /** Which identifier the IDs are: third-party IDs leave as they are, member IDs only hashed. */
  idKind: 'third_party' | 'member';
  snapshot: string;
  rows: number;
  id(i: number): string;
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

/** Reads a `members.arrow` file (columns id, score, rank) as ranked IDs. */
export function rankedIdsFromArrow(
  bytes: Uint8Array,
  idKind: RankedIds['idKind'],
  snapshot: string,
): RankedIds {
  const table = arrow.tableFromIPC(bytes);
  const id = table.getChild('id');
  const score = table.getChild('score');
  const rank = table.getChild('rank');
  if (!id || !score || !rank) {
    throw new InvalidInputError('audience file lacks one of the columns id, score, rank', 'audience');
  }
  return {
    idKind,
    snapshot,
    rows: table.numRows,
    id: (i) => String(id.get(i)),
    score: (i) => Number(score.get(i)),
    rank: (i) => Number(rank.get(i)),
  };
}

/** The identifier as it may leave the system. */
export function exportedId(source: RankedIds, i: number): string {
  const raw = source.id(i);
  return source.idKind === 'member' ? hashMemberId(raw) : raw;
}

interface Row {
  id: string;
  score: number;
  rank: number;
  change?: 'added' | 'removed';
}

function csvChunk(rows: Row[], header: boolean, delta: boolean): Uint8Array {
  let text = header ? (delta ? 'id,score,rank,change\n' : 'id,score,rank\n') : '';
  for (const r of rows) {
    text += `${r.id},${r.score.toFixed(6)},${r.rank}${delta ? `,${r.change}` : ''}\n`;
  }
  return encoder.encode(text);
}

function ndjsonChunk(rows: Row[]): Uint8Array {
  let text = '';
  for (const r of rows)
    text += `${JSON.stringify({ id: r.id, score: Number(r.score.toFixed(6)), rank: r.rank, ...(r.change ? { change: r.change } : {}) })}\n`;
  return encoder.encode(text);
}

function arrowBatch(rows: Row[], delta: boolean): arrow.RecordBatch {
  const columns: Record<string, arrow.Vector> = {
    id: arrow.vectorFromArray(
      rows.map((r) => r.id),
      new arrow.Utf8(),
    ),
    score: arrow.makeVector(Float32Array.from(rows, (r) => r.score)),
    rank: arrow.makeVector(Int32Array.from(rows, (r) => r.rank)),
  };
  if (delta) {
    columns.change = arrow.vectorFromArray(
      rows.map((r) => r.change ?? null),
      new arrow.Utf8(),
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

  // The logical row list: current rows (all, or only the added ones), then removed ones.
  let rowsOf: (i: number) => Row;
  let total: number;
  if (!delta) {
    total = source.rows;
    rowsOf = (i) => ({ id: exportedId(source, i), score: source.score(i), rank: source.rank(i) });
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
    total = added.length + removed.length;
    rowsOf = (i) =>
      i < added.length
        ? {
            id: exportedId(source, added[i]!),
            score: source.score(added[i]!),
            rank: source.rank(added[i]!),
            change: 'added',
          }
        : { id: removed[i - added.length]!, score: 0, rank: -1, change: 'removed' };
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
      const rows: Row[] = [];
      for (let i = at; i < stop; i++) rows.push(rowsOf(i));
      const first = at === start;
      at = stop;
      const finished = at >= end;
      if (format === 'csv') controller.enqueue(csvChunk(rows, first, delta));
      else if (format === 'ndjson') {
        if (rows.length) controller.enqueue(ndjsonChunk(rows));
      } else {
        if (rows.length || first) writer!.write(arrowBatch(rows, delta));
        if (finished) writer!.finish();
        // The writer yields asynchronously; let it flush what this batch produced.
        await new Promise((resolve) => setTimeout(resolve, 0));
        for (const part of pendingArrow) controller.enqueue(part);
        pendingArrow = [];
      }
      if (finished) controller.close();
    },
  });
  return { format, snapshot: source.snapshot, offset: start, rows: end - start, total, nextCursor, body };
}
