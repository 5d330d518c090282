/**
 * Sorted ID files: a set of ranked IDs (an audience revision, or a destination's release) written
 * in the byte order of their UTF-8 IDs, in chunk files of at most 65,536 rows (each an Arrow IPC
 * file with the `members.arrow` columns id, score, rank), with a small index. Two sets are then
 * compared by merging their files chunk by chunk: a delta between revisions or an overlap of
 * audiences holds a few chunks in memory, whatever the sizes. Pure TypeScript: the Worker merges
 * the same files from R2.
 */
import type { ArtifactStore } from '../store/artifacts.ts';
import { encodeMemberColumns, type MembersView, openMembers } from './members-file.ts';

/** Rows per chunk file: about 1-5 MB of Arrow for the IDs this engine sees. */
export const SORTED_CHUNK_ROWS = 65_536;
/** Folder of the chunk files inside an artifact (`<prefix>/sorted/00000.arrow`, `index.json`). */
export const SORTED_DIR = 'sorted';

export interface SortedIndex {
  rows: number;
  /** Rows of each chunk file, in order; chunk k is `sorted/<k, 5 digits>.arrow`. */
  chunks: number[];
}

/** An ID column in UTF-8: ID i is `bytes[offsets[i]..offsets[i + 1])`. */
export interface IdColumn {
  readonly length: number;
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
}

export const chunkFile = (k: number) => `${SORTED_DIR}/${String(k).padStart(5, '0')}.arrow`;

/** Byte order of two IDs of two columns: negative, zero or positive. */
export function compareIds(a: IdColumn, i: number, b: IdColumn, j: number): number {
  let p = a.offsets[i]!;
  let q = b.offsets[j]!;
  const pe = a.offsets[i + 1]!;
  const qe = b.offsets[j + 1]!;
  const ab = a.bytes;
  const bb = b.bytes;
  while (p < pe && q < qe) {
    const d = ab[p]! - bb[q]!;
    if (d !== 0) return d;
    p++;
    q++;
  }
  return pe - p - (qe - q);
}

/** Length of the prefix every ID of a column shares (IDs such as tp_0000001 share "tp_"). */
function commonPrefix(col: IdColumn): number {
  if (col.length === 0) return 0;
  const first = col.offsets[0]!;
  let lcp = col.offsets[1]! - first;
  for (let i = 1; i < col.length && lcp > 0; i++) {
    const at = col.offsets[i]!;
    const len = Math.min(lcp, col.offsets[i + 1]! - at);
    let k = 0;
    while (k < len && col.bytes[at + k] === col.bytes[first + k]) k++;
    lcp = k;
  }
  return lcp;
}

/** One stable LSD pass over a 16-bit digit of `keys`. */
function radixPass(order: Uint32Array, keys: Uint32Array, shift: number, out: Uint32Array): void {
  const counts = new Uint32Array(65_537);
  for (let k = 0; k < order.length; k++) counts[((keys[order[k]!]! >>> shift) & 0xffff) + 1]!++;
  for (let d = 0; d < 65_536; d++) counts[d + 1]! += counts[d]!;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    out[counts[(keys[i]! >>> shift) & 0xffff]!++] = i;
  }
}

/**
 * The row order that sorts a column by ID bytes (stable: equal IDs keep their order). The eight
 * bytes after the prefix all IDs share decide almost every comparison: a radix sort on them is
 * linear, and only runs that tie on all eight are compared byte by byte.
 */
export function sortedOrder(col: IdColumn): Uint32Array {
  const n = col.length;
  const lcp = commonPrefix(col);
  // Two 32-bit keys of the bytes after the prefix, padded with zeros (shorter IDs sort first).
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const start = col.offsets[i]! + lcp;
    const end = col.offsets[i + 1]!;
    let a = 0;
    let b = 0;
    for (let k = 0; k < 4; k++) a = a * 256 + (start + k < end ? col.bytes[start + k]! : 0);
    for (let k = 4; k < 8; k++) b = b * 256 + (start + k < end ? col.bytes[start + k]! : 0);
    hi[i] = a;
    lo[i] = b;
  }
  let order = Uint32Array.from({ length: n }, (_, i) => i);
  let spare = new Uint32Array(n);
  for (const [keys, shift] of [
    [lo, 0],
    [lo, 16],
    [hi, 0],
    [hi, 16],
  ] as const) {
    radixPass(order, keys, shift, spare);
    [order, spare] = [spare, order];
  }
  // Ties on the eight bytes: settle by the full bytes (a stable sort of each run).
  for (let from = 0; from < n; ) {
    let to = from + 1;
    const i = order[from]!;
    while (to < n && hi[order[to]!] === hi[i] && lo[order[to]!] === lo[i]) to++;
    if (to - from > 1) order.subarray(from, to).sort((a, b) => compareIds(col, a, col, b) || a - b);
    from = to;
  }
  return order;
}

/** Ranked IDs to be written as sorted files. */
export interface RankedColumns extends IdColumn {
  score(i: number): number;
  rank(i: number): number;
}

/**
 * Sorts ranked IDs by their bytes (unless `presorted`) and encodes them as chunk files.
 *
 * @returns the files (relative to the artifact prefix: `sorted/…`) and the index.
 */
export function encodeSortedChunks(
  source: RankedColumns,
  chunkRows = SORTED_CHUNK_ROWS,
  options: { presorted?: boolean } = {},
): { files: Record<string, Uint8Array>; index: SortedIndex } {
  const order = options.presorted
    ? Uint32Array.from({ length: source.length }, (_, i) => i)
    : sortedOrder(source);
  const files: Record<string, Uint8Array> = {};
  const chunks: number[] = [];
  for (let from = 0, k = 0; from < order.length || k === 0; from += chunkRows, k++) {
    const to = Math.min(order.length, from + chunkRows);
    const rows = to - from;
    const offsets = new Int32Array(rows + 1);
    let bytes = 0;
    for (let j = 0; j < rows; j++) {
      const i = order[from + j]!;
      bytes += source.offsets[i + 1]! - source.offsets[i]!;
      offsets[j + 1] = bytes;
    }
    const data = new Uint8Array(bytes);
    const scores = new Float32Array(rows);
    const ranks = new Int32Array(rows);
    for (let j = 0; j < rows; j++) {
      const i = order[from + j]!;
      data.set(source.bytes.subarray(source.offsets[i]!, source.offsets[i + 1]!), offsets[j]!);
      scores[j] = source.score(i);
      ranks[j] = source.rank(i);
    }
    files[chunkFile(k)] = encodeMemberColumns(offsets, data, scores, ranks);
    chunks.push(rows);
    if (to >= order.length) break;
  }
  const index: SortedIndex = { rows: order.length, chunks };
  files[`${SORTED_DIR}/index.json`] = new TextEncoder().encode(`${JSON.stringify(index)}\n`);
  return { files, index };
}

/** Sorted IDs, read one chunk at a time. */
export interface SortedIds {
  readonly rows: number;
  readonly chunks: readonly number[];
  chunk(k: number): Promise<MembersView>;
}

/**
 * The sorted files under an artifact prefix, or null when the artifact has none (revisions
 * written before sorted files existed: see {@link sortMembersInMemory}).
 */
export async function openSortedIds(store: ArtifactStore, prefix: string): Promise<SortedIds | null> {
  const bytes = await store.get(`${prefix}/${SORTED_DIR}/index.json`);
  if (!bytes) return null;
  const index = JSON.parse(new TextDecoder().decode(bytes)) as SortedIndex;
  return {
    rows: index.rows,
    chunks: index.chunks,
    chunk: async (k) => {
      const file = await store.get(`${prefix}/${chunkFile(k)}`);
      if (!file)
        throw new Error(`sorted chunk ${prefix}/${chunkFile(k)} is missing; the artifact is incomplete`);
      return openMembers(file);
    },
  };
}

/** A members file sorted in memory as one chunk: for revisions that have no sorted files. */
export function sortMembersInMemory(view: MembersView): SortedIds {
  const encoded = encodeSortedChunks(view, Math.max(1, view.length));
  const chunk = openMembers(encoded.files[chunkFile(0)]!);
  return { rows: view.length, chunks: [view.length], chunk: async () => chunk };
}

/** A position in sorted IDs: chunk and row within it. */
export interface SortedPosition {
  chunk: number;
  row: number;
}

/** Walks sorted IDs in order, holding one chunk. */
export class SortedCursor {
  view: MembersView | null = null;
  private loaded = -1;

  constructor(
    readonly ids: SortedIds,
    public chunk = 0,
    public row = 0,
  ) {}

  get done(): boolean {
    return this.chunk >= this.ids.chunks.length;
  }

  get position(): SortedPosition {
    return { chunk: this.chunk, row: this.row };
  }

  /** Loads the current chunk (skipping empty ones); call before reading `view` and `row`. */
  async ready(): Promise<void> {
    while (!this.done && this.row >= this.ids.chunks[this.chunk]!) {
      this.chunk++;
      this.row = 0;
    }
    if (this.done) {
      this.view = null;
      return;
    }
    if (this.loaded !== this.chunk) {
      this.view = await this.ids.chunk(this.chunk);
      this.loaded = this.chunk;
    }
  }

  /** True when `ready()` must run before the current row can be read (a chunk boundary). */
  get needsLoad(): boolean {
    return this.done ? false : this.row >= this.ids.chunks[this.chunk]! || this.loaded !== this.chunk;
  }

  /** Moves to the next row; call `ready()` before reading it when `needsLoad`. */
  advance(): void {
    this.row++;
  }
}
