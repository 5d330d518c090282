/**
 * DeLong's comparison of two AUCs measured on the same rows (DeLong, DeLong & Clarke-Pearson,
 * 1988), computed from midranks as in Sun & Xu (2014), O((m + n) log(m + n)): the architecture
 * rule uses it to tell an MLP that ranks better from one that drew luckier validation rows.
 */
import { midranks } from './metrics.ts';

export interface AucDifference {
  /** AUC of the first scores and of the second, on the same rows. */
  a: number;
  b: number;
  /** a - b. */
  difference: number;
  /** Standard error of the difference (a class with a single row adds nothing to it). */
  se: number;
}

/**
 * DeLong's structural components of one ranking: for each positive row, the share of negatives it
 * outranks (ties count half), and for each negative, the share of positives that outrank it.
 */
function placements(z: ArrayLike<number>, rows: { pos: number[]; neg: number[] }) {
  const m = rows.pos.length;
  const n = rows.neg.length;
  const x = Float64Array.from(rows.pos, (i) => z[i]!);
  const y = Float64Array.from(rows.neg, (i) => z[i]!);
  const all = new Float64Array(m + n);
  all.set(x);
  all.set(y, m);
  const tz = midranks(all);
  const tx = midranks(x);
  const ty = midranks(y);
  return {
    v10: Float64Array.from(tx, (r, i) => (tz[i]! - r) / n),
    v01: Float64Array.from(ty, (r, j) => 1 - (tz[m + j]! - r) / m),
  };
}

const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;

/** Sample variance of the element-wise difference of two equal-length vectors. */
function varianceOfDifference(a: Float64Array, b: Float64Array): number {
  if (a.length < 2) return 0;
  const d = a.map((x, i) => x - b[i]!);
  const mu = mean(d);
  return d.reduce((s, x) => s + (x - mu) ** 2, 0) / (d.length - 1);
}

/**
 * AUCs of two scorings `a` and `b` of the same rows, `rows.pos` against `rows.neg` (indices into
 * both), and the standard error of their difference, which accounts for the two being measured on
 * the same rows.
 *
 * @throws RangeError when a class is empty.
 */
export function compareAucs(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rows: { pos: number[]; neg: number[] },
): AucDifference {
  if (!rows.pos.length || !rows.neg.length) {
    throw new RangeError(
      `comparing AUCs needs positive and negative rows (got ${rows.pos.length} and ${rows.neg.length})`,
    );
  }
  const pa = placements(a, rows);
  const pb = placements(b, rows);
  const aucA = mean(pa.v10);
  const aucB = mean(pb.v10);
  const variance =
    varianceOfDifference(pa.v10, pb.v10) / rows.pos.length +
    varianceOfDifference(pa.v01, pb.v01) / rows.neg.length;
  return { a: aucA, b: aucB, difference: aucA - aucB, se: Math.sqrt(Math.max(0, variance)) };
}
