/**
 * Ranking metrics of a backtest: how a score ranks the people who went on to have the event.
 * Ties are handled as a random order inside each tie would: precision at a size that cuts through
 * a tie counts that tie's positives in proportion, so a coarse score (e.g. purchase frequency)
 * is neither flattered nor penalised by an arbitrary order. Pure TypeScript.
 */

/** Precision and lift over random for the top `share` of a ranking. */
export interface TopShareMetrics {
  share: number;
  /** Audience size: round(share x universe), at least 1. */
  size: number;
  /** Expected share of positives in the top `size` (ties resolved at random). */
  precision: number;
  /** Precision over the universe's positive rate (the precision of a random audience). */
  lift: number;
}

export interface RankingMetrics {
  universe: number;
  positives: number;
  /** Positive rate of the universe: random targeting's precision. */
  baseRate: number;
  /** Area under the ROC curve (ties count half). */
  auc: number;
  top: TopShareMetrics[];
}

export const BACKTEST_SHARES: readonly number[] = [0.01, 0.05, 0.1, 0.2];

/** Audience size of a share of a universe: round(share x n), at least 1 and at most n. */
export function sizeOfShare(share: number, n: number): number {
  return Math.min(n, Math.max(1, Math.round(share * n)));
}

/**
 * Metrics of `scores` (higher ranks first) against `outcome` (1 = had the event).
 *
 * @throws RangeError when the arrays differ in length or are empty.
 * @example
 * rankingMetrics(Float64Array.of(3, 2, 1), Uint8Array.of(1, 0, 0)).auc; // 1
 */
export function rankingMetrics(
  scores: ArrayLike<number>,
  outcome: ArrayLike<number>,
  shares: readonly number[] = BACKTEST_SHARES,
): RankingMetrics {
  const n = scores.length;
  if (n !== outcome.length) throw new RangeError(`${n} scores but ${outcome.length} outcomes`);
  if (n === 0) throw new RangeError('no rows to rank');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  // Tie groups in descending order: [start, end) and the positives inside.
  const starts: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    let p = 0;
    while (j < n && scores[order[j]!] === scores[order[i]!]) p += outcome[order[j++]!] ? 1 : 0;
    starts.push(i);
    pos.push(p);
    i = j;
  }
  starts.push(n);
  const positives = pos.reduce((s, p) => s + p, 0);
  const negatives = n - positives;
  // AUC: for each tie group, positives beat every negative below and half those inside.
  let wins = 0;
  let negBelow = negatives;
  for (let g = 0; g < pos.length; g++) {
    const size = starts[g + 1]! - starts[g]!;
    const negIn = size - pos[g]!;
    negBelow -= negIn;
    wins += pos[g]! * (negBelow + negIn / 2);
  }
  const baseRate = positives / n;
  const top = shares.map((share) => {
    const size = sizeOfShare(share, n);
    let hit = 0;
    for (let g = 0; g < pos.length && starts[g]! < size; g++) {
      const len = starts[g + 1]! - starts[g]!;
      const taken = Math.min(len, size - starts[g]!);
      hit += (pos[g]! * taken) / len;
    }
    const precision = hit / size;
    return { share, size, precision, lift: baseRate > 0 ? precision / baseRate : Number.NaN };
  });
  return {
    universe: n,
    positives,
    baseRate,
    auc: positives && negatives ? wins / (positives * negatives) : Number.NaN,
    top,
  };
}
