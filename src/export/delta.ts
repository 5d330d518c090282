/**
 * Deltas between two versions of a set of IDs (two revisions of an audience, or two releases to a
 * destination): a merge of their sorted ID files. An ID only in the newer version is an `add`
 * (with its score and rank), one only in the older a `remove`. The merge holds one chunk of each
 * side, so a delta of millions of IDs runs in flat memory, and it stops and resumes at any
 * position (a page's cursor).
 */
import { compareIds, SortedCursor, type SortedIds, type SortedPosition } from '../audience/sorted-ids.ts';
import type { DeltaOp, RowBatch } from './encode.ts';

/** Where a merge stands in the older (`a`) and newer (`b`) version. */
export interface MergePosition {
  a: SortedPosition;
  b: SortedPosition;
}

export const MERGE_START: MergePosition = { a: { chunk: 0, row: 0 }, b: { chunk: 0, row: 0 } };

/** Rows of one delta batch, copied out of the chunks they came from. */
class DeltaRows implements RowBatch {
  length = 0;
  private offsets: number[] = [0];
  private bytes = new Uint8Array(1 << 16);
  private scores: number[] = [];
  private ranks: number[] = [];
  private ops: DeltaOp[] = [];

  push(id: Uint8Array, score: number, rank: number, op: DeltaOp): void {
    const at = this.offsets[this.length]!;
    if (at + id.length > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, at + id.length));
      next.set(this.bytes.subarray(0, at));
      this.bytes = next;
    }
    this.bytes.set(id, at);
    this.offsets.push(at + id.length);
    this.scores.push(score);
    this.ranks.push(rank);
    this.ops.push(op);
    this.length++;
  }
  idBytes(i: number): Uint8Array {
    return this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }
  score(i: number): number {
    return this.scores[i]!;
  }
  rank(i: number): number {
    return this.ranks[i]!;
  }
  op(i: number): DeltaOp {
    return this.ops[i]!;
  }
}

/**
 * A resumable merge of an older and a newer version of sorted IDs.
 *
 * @example
 * const merge = new DeltaMerge(previous, current);
 * for (let batch = await merge.next(8192); batch; batch = await merge.next(8192)) send(batch);
 */
export class DeltaMerge {
  private readonly a: SortedCursor;
  private readonly b: SortedCursor;
  private started = false;

  constructor(previous: SortedIds, current: SortedIds, at: MergePosition = MERGE_START) {
    this.a = new SortedCursor(previous, at.a.chunk, at.a.row);
    this.b = new SortedCursor(current, at.b.chunk, at.b.row);
  }

  get position(): MergePosition {
    return { a: this.a.position, b: this.b.position };
  }

  private async step(
    emit: ((id: Uint8Array, score: number, rank: number, op: DeltaOp) => void) | null,
  ): Promise<boolean> {
    const { a, b } = this;
    for (;;) {
      if (a.needsLoad) await a.ready();
      if (b.needsLoad) await b.ready();
      if (a.done && b.done) return false;
      const d = a.done ? 1 : b.done ? -1 : compareIds(a.view!, a.row, b.view!, b.row);
      if (d === 0) {
        a.advance();
        b.advance();
        continue;
      }
      if (d < 0) {
        emit?.(a.view!.idBytes(a.row), Number.NaN, 0, 'remove');
        a.advance();
      } else {
        emit?.(b.view!.idBytes(b.row), b.view!.score(b.row), b.view!.rank(b.row), 'add');
        b.advance();
      }
      return true;
    }
  }

  private async begin(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.a.ready();
    await this.b.ready();
  }

  /** The next `maxRows` (or fewer) delta rows; null when the delta is exhausted. */
  async next(maxRows: number): Promise<RowBatch | null> {
    await this.begin();
    const rows = new DeltaRows();
    const emit = (id: Uint8Array, score: number, rank: number, op: DeltaOp) => rows.push(id, score, rank, op);
    while (rows.length < maxRows && (await this.step(emit)));
    return rows.length ? rows : null;
  }

  /** Passes over up to `maxRows` delta rows without building them; returns how many, by op. */
  async skip(maxRows = Number.POSITIVE_INFINITY): Promise<{ add: number; remove: number }> {
    await this.begin();
    const counts = { add: 0, remove: 0 };
    const count = (_id: Uint8Array, _score: number, _rank: number, op: DeltaOp) => {
      counts[op]++;
    };
    while (counts.add + counts.remove < maxRows && (await this.step(count)));
    return counts;
  }
}
