/**
 * A universe's ranking rebuilt from shard summaries, in memory that does not grow with the
 * universe: the exact top logits (the merged top lists) and, below them, every other logit as
 * the floor of its histogram bin. That is a non-increasing sequence the frontier reads like the
 * sorted array of one process (`RankedLogits`); the frontier's estimates move by under a bin's
 * width (under 0.8% of a logit) below the exact top. Pure TypeScript.
 */
import type { RankedLogits } from '../audience/frontier.ts';
import { BINS, binFloor, logitOf } from './score-keys.ts';

/** Count of ranked entries >= t (or > t) in a descending array. */
function leading(desc: Float64Array, t: number, strict: boolean): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? desc[mid]! > t : desc[mid]! >= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RankedHistogram implements RankedLogits {
  readonly length: number;
  /** Exact top logits, descending. */
  private readonly top: Float64Array;
  /** Non-empty bins below the top list, descending: their floor logit and rank before them. */
  private readonly floors: Float64Array;
  /** `before[k]` = ranks (after the top list) before bin k; length bins + 1. */
  private readonly before: Float64Array;

  /**
   * @param counts - rows per bin over the whole universe (length `BINS`).
   * @param topKeys - keys of the exact top list, descending (each also counted in `counts`).
   */
  constructor(counts: ArrayLike<number>, topKeys: ArrayLike<number>) {
    if (counts.length !== BINS) throw new Error(`a histogram has ${BINS} bins, got ${counts.length}`);
    const rest = Float64Array.from(counts);
    this.top = new Float64Array(topKeys.length);
    for (let i = 0; i < topKeys.length; i++) {
      const k = topKeys[i]!;
      this.top[i] = logitOf(k);
      rest[k >>> 16]!--;
    }
    const floors: number[] = [];
    const before: number[] = [0];
    for (let b = BINS - 1; b >= 1; b--) {
      const c = rest[b]!;
      if (c < 0) throw new Error(`bin ${b} holds fewer rows than the top list puts in it`);
      if (c === 0) continue;
      floors.push(binFloor(b));
      before.push(before[before.length - 1]! + c);
    }
    this.floors = Float64Array.from(floors);
    this.before = Float64Array.from(before);
    this.length = this.top.length + this.before[this.before.length - 1]!;
  }

  at(i: number): number {
    if (i < this.top.length) return this.top[i]!;
    const r = i - this.top.length;
    // The bin k with before[k] <= r < before[k + 1].
    let lo = 0;
    let hi = this.floors.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.before[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    return this.floors[lo]!;
  }

  countAtLeast(t: number): number {
    return leading(this.top, t, false) + this.before[leading(this.floors, t, false)]!;
  }

  countAbove(t: number): number {
    return leading(this.top, t, true) + this.before[leading(this.floors, t, true)]!;
  }
}
