/**
 * Features to clustering space: heavy-tailed amounts and counts are log1p-transformed, every
 * column is standardised (z-scores), and each feature block is weighted so that a block of many
 * columns (31 category shares, 7 weekdays) does not outvote a block of one (online share).
 */
import type { Matrix } from './kmeans.ts';

export interface FeatureTransform {
  featureNames: string[];
  /** Whether the column was log1p-transformed before standardising. */
  log: boolean[];
  /** Mean and standard deviation of each (transformed) column; sd 0 marks a constant column. */
  mean: number[];
  sd: number[];
  /** Multiplier applied after standardising. */
  weight: number[];
  /** z-scores are clipped to +-clip, so one extreme member cannot claim a segment of its own. */
  clip: number;
}

/**
 * Winsorising bound on z-scores. Without it, k-means spends a centroid on a single outlier (a
 * member with 40x the median basket) instead of on a persona of hundreds.
 */
export const Z_CLIP = 5;

/**
 * Relative weight of each feature block, spread over its columns as weight / sqrt(columns), so a
 * block's share of the squared distance does not grow with its column count. Category shares
 * carry the most: what people buy is the strongest signal of who they are.
 */
export const BLOCK_WEIGHTS: Readonly<Record<string, number>> = {
  rfm: 1,
  basket: 1.5,
  channel: 1,
  returns: 0.5,
  dow: 0.75,
  tod: 1,
  category: 3,
};

/**
 * Fits the transform on a feature matrix (original units) and returns it with the scaled matrix.
 * @param weights block weights (see {@link BLOCK_WEIGHTS}); a block missing from it gets 1
 */
export function fitTransform(
  m: Matrix,
  featureNames: readonly string[],
  kinds: readonly ('log' | 'share')[],
  groups: readonly string[],
  weights: Readonly<Record<string, number>> = BLOCK_WEIGHTS,
): { transform: FeatureTransform; scaled: Matrix } {
  const { rows, cols } = m;
  const log = kinds.map((k) => k === 'log');
  const groupSize = new Map<string, number>();
  for (const g of groups) groupSize.set(g, (groupSize.get(g) ?? 0) + 1);
  const weight = groups.map((g) => (weights[g] ?? 1) / Math.sqrt(groupSize.get(g)!));
  const mean = new Array<number>(cols).fill(0);
  const sd = new Array<number>(cols).fill(0);
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) {
    const v = m.values[i]!;
    t[i] = log[i % cols] ? Math.log1p(Math.max(0, v)) : v;
  }
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += t[i * cols + c]!;
    const mu = s / rows;
    let v = 0;
    for (let i = 0; i < rows; i++) v += (t[i * cols + c]! - mu) ** 2;
    mean[c] = mu;
    sd[c] = Math.sqrt(v / rows);
  }
  const transform: FeatureTransform = {
    featureNames: [...featureNames],
    log,
    mean,
    sd,
    weight,
    clip: Z_CLIP,
  };
  return { transform, scaled: { values: applyInPlace(t, rows, transform, true), rows, cols } };
}

/**
 * Applies a fitted transform to a matrix in original units (e.g. new members scored against a
 * saved segmentation), returning a new matrix.
 */
export function applyTransform(m: Matrix, transform: FeatureTransform): Matrix {
  const values = Float64Array.from(m.values);
  return { values: applyInPlace(values, m.rows, transform, false), rows: m.rows, cols: m.cols };
}

function applyInPlace(t: Float64Array, rows: number, tr: FeatureTransform, logged: boolean): Float64Array {
  const cols = tr.mean.length;
  const clip = tr.clip;
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const j = i * cols + c;
      let v = t[j]!;
      if (!logged && tr.log[c]) v = Math.log1p(Math.max(0, v));
      const z = tr.sd[c]! > 0 ? (v - tr.mean[c]!) / tr.sd[c]! : 0;
      t[j] = Math.min(clip, Math.max(-clip, z)) * tr.weight[c]!;
    }
  }
  return t;
}

/** Maps a point in clustering space back to original units (undoes weight, z-score and log). */
export function invertRow(row: ArrayLike<number>, tr: FeatureTransform): number[] {
  return tr.mean.map((mu, c) => {
    const z = tr.weight[c]! > 0 ? row[c]! / tr.weight[c]! : 0;
    const v = mu + z * tr.sd[c]!;
    return tr.log[c] ? Math.expm1(v) : v;
  });
}
