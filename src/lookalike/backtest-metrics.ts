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
    // The group always takes row i, so a NaN score (equal to nothing) still moves the loop on.
    do p += outcome[order[j++]!] ? 1 : 0;
    while (j < n && scores[order[j]!] === scores[order[i]!]);
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

/** A bootstrap interval of one ranking's lift over another's at one share. */
export interface LiftRatioInterval {
  share: number;
  /** Lift ratio on the universe itself. */
  ratio: number;
  /** Percentile interval of the ratio over the replicates (replicates with no positive in the
   *  other ranking's top share give +Infinity and sort last). */
  ci: [number, number];
  /** Share of replicates in which the first ranking's lift is above the second's. */
  ahead: number;
}

/**
 * How much of a lift difference is noise: the universe is resampled with replacement (the
 * members, with their outcomes and both scores), both rankings are scored on each replicate,
 * and the ratio of `a`'s lift to `b`'s at each share gives a percentile interval. With a few
 * dozen positives one buyer moves lift@10% by 0.1-0.25, so single cases need this context.
 *
 * @throws RangeError when the arrays differ in length or are empty.
 */
export function liftRatioIntervals(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  outcome: ArrayLike<number>,
  options: { replicates?: number; confidence?: number; draw: (n: number) => number },
  shares: readonly number[] = BACKTEST_SHARES,
): LiftRatioInterval[] {
  const n = outcome.length;
  if (a.length !== n || b.length !== n)
    throw new RangeError(`${a.length} and ${b.length} scores but ${n} outcomes`);
  const reps = options.replicates ?? 1000;
  const alpha = (1 - (options.confidence ?? 0.95)) / 2;
  const ratios = shares.map(() => new Float64Array(reps));
  const aheads = shares.map(() => 0);
  const ra = new Float64Array(n);
  const rb = new Float64Array(n);
  const ro = new Uint8Array(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const k = options.draw(n);
      ra[i] = a[k]!;
      rb[i] = b[k]!;
      ro[i] = outcome[k] ? 1 : 0;
    }
    const ma = rankingMetrics(ra, ro, shares);
    const mb = rankingMetrics(rb, ro, shares);
    shares.forEach((_, s) => {
      const pa = ma.top[s]!.precision;
      const pb = mb.top[s]!.precision;
      ratios[s]![r] = pb > 0 ? pa / pb : pa > 0 ? Number.POSITIVE_INFINITY : 1;
      if (pa > pb) aheads[s]!++;
    });
  }
  const ta = rankingMetrics(a, outcome, shares);
  const tb = rankingMetrics(b, outcome, shares);
  return shares.map((share, s) => {
    const sorted = ratios[s]!.sort();
    const at = (q: number) => sorted[Math.min(reps - 1, Math.max(0, Math.floor(q * reps)))]!;
    return {
      share,
      ratio: ta.top[s]!.lift / tb.top[s]!.lift,
      ci: [at(alpha), at(1 - alpha)],
      ahead: aheads[s]! / reps,
    };
  });
}
