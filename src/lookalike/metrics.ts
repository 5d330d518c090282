/**
 * Ranking metrics over plain typed arrays. Pure TypeScript.
 */

/**
 * Area under the ROC curve of `pos` against `neg` (Mann-Whitney, ties count half). In a
 * positive-unlabelled setting, labelled-vs-unlabelled AUC is a monotone function of the
 * positive-vs-negative AUC, so it ranks models the same way.
 */
export function auc(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  const n1 = pos.length;
  const n0 = neg.length;
  if (n1 === 0 || n0 === 0) return Number.NaN;
  const all = new Float64Array(n1 + n0);
  for (let i = 0; i < n1; i++) all[i] = pos[i]!;
  for (let i = 0; i < n0; i++) all[n1 + i] = neg[i]!;
  const ranks = midranks(all);
  let rankSum = 0;
  for (let i = 0; i < n1; i++) rankSum += ranks[i]!;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/** 1-based ranks of `v` in ascending order, ties sharing the mean of their ranks. */
export function midranks(v: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const out = new Float64Array(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]!] === v[order[i]!]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]!] = mid;
    i = j + 1;
  }
  return out;
}

/** Mean of a typed array. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : Number.NaN;
}
