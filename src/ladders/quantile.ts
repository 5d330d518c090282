/**
 * Quantiles as data values (the lower neighbour: numpy's `inverted_cdf`), so a cut point is always a
 * value someone actually has and an independent computation can reproduce it exactly.
 */

/** Value at quantile q of ascending `sorted` values; NaN when empty. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
}

/** Ascending copy of the values. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * Cut points at the given quantiles, kept only when strictly increasing and below the maximum:
 * ties merge bands rather than split equal values (most customers buy once).
 */
export function distinctCuts(sorted: ArrayLike<number>, quantiles: readonly number[]): number[] {
  const max = sorted.length ? sorted[sorted.length - 1]! : 0;
  const cuts: number[] = [];
  for (const q of quantiles) {
    const c = quantileOfSorted(sorted, q);
    if (c < max && (cuts.length === 0 || c > cuts[cuts.length - 1]!)) cuts.push(c);
  }
  return cuts;
}

/** Rounds to `digits` significant figures (70,312 -> 70,000 at 2): thresholds people can say aloud. */
export function roundSignificant(value: number, digits = 2): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(value))) - digits + 1);
  return Math.round(value / scale) * scale;
}
