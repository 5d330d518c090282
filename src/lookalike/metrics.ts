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
  const lab = new Uint8Array(n1 + n0);
  for (let i = 0; i < n1; i++) {
    all[i] = pos[i]!;
    lab[i] = 1;
  }
  for (let i = 0; i < n0; i++) all[n1 + i] = neg[i]!;
  const order = Array.from({ length: n1 + n0 }, (_, i) => i).sort((a, b) => all[a]! - all[b]!);
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && all[order[j + 1]!] === all[order[i]!]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (lab[order[k]!]) rankSum += mid;
    i = j + 1;
  }
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/** Mean of a typed array. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : Number.NaN;
}
