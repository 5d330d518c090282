/**
 * Choosing k from the data: the mean silhouette of k-means fits on random samples, averaged over
 * a few replicates. One distance matrix per replicate serves every candidate k, so a range of
 * 2..15 costs a few seconds whatever the member count.
 *
 * Why the silhouette and not a stability criterion: stability (agreement between fits on
 * resamples) measures whether k-means finds the same optimum again, and k = 2 or 3 is usually
 * very reproducible even when the data hold ten groups; on the sample workspace it was flat
 * (0.9-0.99) from k = 2 to 12. The silhouette rewards separation and peaks at the planted count.
 */
import { InvalidInputError } from '../schema/index.ts';
import { kmeans, type Matrix } from './kmeans.ts';
import { pairwiseDistances, silhouette } from './metrics.ts';
import { SeededRandom, sampleIndices } from './rng.ts';

export interface KScore {
  k: number;
  /** Mean silhouette over the replicates. */
  silhouette: number;
  /** Standard deviation of the silhouette over the replicates. */
  silhouetteSd: number;
  /** Mean within-cluster sum of squares per sampled member. */
  inertiaPerMember: number;
}

export interface SelectKOptions {
  seed?: number;
  /** Members per replicate sample. Default 4000. */
  sampleSize?: number;
  /** Independent samples averaged. Default 1. */
  replicates?: number;
  /** Fits (seeds) per k on each sample; their silhouettes are averaged. Default 4. */
  fitsPerK?: number;
  /** k-means starts per fit (the lowest inertia wins). Default 2. */
  nInit?: number;
  /** Prefer the smallest k whose silhouette is within this fraction of the best. Default 0.01. */
  tolerance?: number;
}

export interface KSelection {
  /** The chosen k: the smallest within `tolerance` of the best silhouette. */
  k: number;
  /** The k with the highest mean silhouette. */
  bestK: number;
  fitsPerK: number;
  tolerance: number;
  scores: KScore[];
  sampleSize: number;
  replicates: number;
  criterion: 'silhouette';
}

function gather(m: Matrix, idx: Int32Array): Matrix {
  const values = new Float64Array(idx.length * m.cols);
  for (let j = 0; j < idx.length; j++) {
    values.set(m.values.subarray(idx[j]! * m.cols, (idx[j]! + 1) * m.cols), j * m.cols);
  }
  return { values, rows: idx.length, cols: m.cols };
}

/**
 * Scores every k in `range` by the mean sample silhouette and returns the best (the smaller k on
 * an exact tie).
 *
 * @param scaled the matrix in clustering space (see `fitTransform`)
 * @param range inclusive [min, max] candidate k, 2 <= min <= max
 * @param options seed, sample size, replicates and starts per fit
 * @returns the chosen k and the per-k figures
 * @throws InvalidInputError when the range is empty or exceeds the sample
 * @example
 * const { k, scores } = selectK(scaled, [2, 12], { seed: 1 });
 */
export function selectK(
  scaled: Matrix,
  range: readonly [number, number],
  options: SelectKOptions = {},
): KSelection {
  const seed = options.seed ?? 1;
  const replicates = options.replicates ?? 1;
  const fitsPerK = options.fitsPerK ?? 4;
  const nInit = options.nInit ?? 2;
  const tolerance = options.tolerance ?? 0.01;
  const n = Math.min(options.sampleSize ?? 4000, scaled.rows);
  const [lo, hi] = range;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 2 || hi < lo) {
    throw new InvalidInputError(
      `kRange must be whole numbers [min, max] with 2 <= min <= max, got [${lo}, ${hi}]`,
      'kRange',
    );
  }
  if (hi > n)
    throw new InvalidInputError(`kRange max (${hi}) is larger than the members sampled (${n})`, 'kRange');
  const sums = new Map<number, { s: number[]; inertia: number }>();
  for (let k = lo; k <= hi; k++) sums.set(k, { s: [], inertia: 0 });
  // Replicates draw fresh samples only when there is more data than one sample holds.
  const resample = scaled.rows > n;
  const reps = resample ? replicates : 1;
  for (let r = 0; r < reps; r++) {
    const rng = new SeededRandom(seed * 1000 + r);
    const sample = resample ? gather(scaled, sampleIndices(scaled.rows, n, rng)) : scaled;
    const distances = pairwiseDistances(sample);
    for (let k = lo; k <= hi; k++) {
      for (let f = 0; f < fitsPerK; f++) {
        const fit = kmeans(sample, k, { seed: seed * 1000 + r * 97 + f * 7919 + k, nInit });
        const entry = sums.get(k)!;
        entry.s.push(silhouette(distances, sample.rows, fit.labels, k));
        entry.inertia += fit.inertia / sample.rows;
      }
    }
  }
  const scores: KScore[] = [...sums.entries()].map(([k, { s, inertia }]) => {
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
    return { k, silhouette: mean, silhouetteSd: sd, inertiaPerMember: inertia / s.length };
  });
  let best = scores[0]!;
  for (const s of scores) if (s.silhouette > best.silhouette) best = s;
  const chosen = scores.find((s) => s.silhouette >= best.silhouette * (1 - tolerance))!;
  return {
    k: chosen.k,
    bestK: best.k,
    scores,
    sampleSize: n,
    replicates: reps,
    fitsPerK,
    tolerance,
    criterion: 'silhouette',
  };
}
