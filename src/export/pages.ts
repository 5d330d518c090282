/**
 * Row sources of a pull, in batches: a range of an audience's members in rank order, a range of
 * sorted IDs (a release) in ID order, and the rows of a delta merge. Each reads only the chunks it
 * needs, so a page of any offset costs memory for one chunk.
 */
import type { MembersView } from '../audience/members-file.ts';
import type { SortedIds } from '../audience/sorted-ids.ts';
import type { DeltaMerge } from './delta.ts';
import type { NextBatch, RowBatch } from './encode.ts';

/** Rows per encoded batch: ~0.5-1 MB of CSV, small enough to stream, large enough to be cheap. */
export const BATCH_ROWS = 8192;

function slice(view: MembersView, from: number, to: number): RowBatch {
  return {
    length: to - from,
    idBytes: (i) => view.idBytes(from + i),
    score: (i) => view.score(from + i),
    rank: (i) => view.rank(from + i),
  };
}

/** Rows [from, to) of a members file, in rank order. */
export function viewRows(view: MembersView, from: number, to: number, batchRows = BATCH_ROWS): NextBatch {
  let at = from;
  return async () => {
    if (at >= to) return null;
    const end = Math.min(to, at + batchRows);
    const batch = slice(view, at, end);
    at = end;
    return batch;
  };
}

/** Rows [from, to) of sorted IDs, in ID order. */
export function sortedRows(ids: SortedIds, from: number, to: number, batchRows = BATCH_ROWS): NextBatch {
  let chunk = 0;
  let start = 0;
  // Find the chunk that holds row `from`.
  while (chunk < ids.chunks.length && start + ids.chunks[chunk]! <= from) start += ids.chunks[chunk++]!;
  let row = from - start;
  let at = from;
  let view: MembersView | null = null;
  let loaded = -1;
  return async () => {
    while (at < to && chunk < ids.chunks.length && row >= ids.chunks[chunk]!) {
      chunk++;
      row = 0;
    }
    if (at >= to || chunk >= ids.chunks.length) return null;
    if (loaded !== chunk) {
      view = await ids.chunk(chunk);
      loaded = chunk;
    }
    const n = Math.min(batchRows, to - at, ids.chunks[chunk]! - row);
    const batch = slice(view!, row, row + n);
    row += n;
    at += n;
    return batch;
  };
}

/** At most `rows` rows of a delta merge. */
export function deltaRows(merge: DeltaMerge, rows: number, batchRows = BATCH_ROWS): NextBatch {
  let left = rows;
  return async () => {
    if (left <= 0) return null;
    const batch = await merge.next(Math.min(batchRows, left));
    if (batch) left -= batch.length;
    return batch;
  };
}
