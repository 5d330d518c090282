import * as arrow from 'apache-arrow';
import { type MembersView, openMembers, utf8Vector } from '../audience/members-file.ts';
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

/** The ranked members of one audience version, as the export layer reads them. */
export interface RankedIds {
  /** Which identifier the IDs are: third-party IDs may leave as they are, member IDs only hashed. */
  idKind: 'third_party' | 'member';
  /** Hash every ID (the destination asked for SHA-256); member IDs are hashed whatever this says. */
  hashIds?: boolean;
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

/** Encodes rows `[from, to)` of a page as text; `header` on the first chunk of a CSV page. */
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
  let text = header && format === 'csv' ? (delta ? 'id,score,rank,change\n' : 'id,score,rank\n') : '';
  for (let k = from; k < to; k++) {
    const r = ref(k);
    const removed = typeof r === 'string';
    const id = removed ? r : exportedId(source, r);
    const score = removed ? 0 : source.score(r);
    const rank = removed ? -1 : source.rank(r);
    const change = delta ? (k < addedCount ? 'added' : 'removed') : null;
    if (format === 'csv') {
      text += `${csvField(id)},${score.toFixed(6)},${rank}${change ? `,${change}` : ''}\n`;
    } else {
      text += `{"id":${JSON.stringify(id)},"score":${Number(score.toFixed(6))},"rank":${rank}${change ? `,"change":"${change}"` : ''}}\n`;
    }
  }
  return encoder.encode(text);
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
