/**
 * Clustering quality measures: the silhouette (on a sample, from a precomputed distance matrix
 * so that many candidate k share one O(n^2 d) pass) and the adjusted Rand index between two
 * labelings.
 */
import type { Matrix } from './kmeans.ts';

/** Euclidean distances between all rows, as a dense n x n Float32Array (n <= ~10k). */
export function pairwiseDistances(m: Matrix): Float32Array {
  const { values, rows: n, cols } = m;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const bi = i * cols;
    for (let j = i + 1; j < n; j++) {
      const bj = j * cols;
      let s = 0;
      for (let d = 0; d < cols; d++) {
        const t = values[bi + d]! - values[bj + d]!;
        s += t * t;
      }
      const dist = Math.sqrt(s);
      out[i * n + j] = dist;
      out[j * n + i] = dist;
    }
  }
  return out;
}

/**
 * Mean silhouette of a labeling, from a distance matrix: for each point, (b - a) / max(a, b)
 * where a is its mean distance to its own cluster and b the least mean distance to another
 * cluster; points alone in their cluster score 0 (Rousseeuw 1987, as scikit-learn does).
 */
export function silhouette(distances: Float32Array, n: number, labels: Int32Array, k: number): number {
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[labels[i]!]!++;
  // Sum of distances from each point to each cluster, reading the symmetric matrix's upper
  // triangle only (half the memory traffic of a full row scan).
  const sums = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    const li = labels[i]!;
    const si = i * k;
    for (let j = i + 1; j < n; j++) {
      const d = distances[row + j]!;
      sums[si + labels[j]!]! += d;
      sums[j * k + li]! += d;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sums[i * k + own]! / (sizes[own]! - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c === own || sizes[c] === 0) continue;
      const mean = sums[i * k + c]! / sizes[c]!;
      if (mean < b) b = mean;
    }
    if (b === Number.POSITIVE_INFINITY) continue;
    const m = Math.max(a, b);
    if (m > 0) total += (b - a) / m;
  }
  return total / n;
}

/**
 * Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same items: 1 for
 * identical partitions, about 0 for independent ones.
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new Error(`labelings differ in length: ${n} vs ${b.length}`);
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const joint = new Map<number, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  let width = 1;
  for (let i = 0; i < n; i++) width = Math.max(width, b[i]! + 1);
  for (let i = 0; i < n; i++) {
    const key = a[i]! * width + b[i]!;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    ra.set(a[i]!, (ra.get(a[i]!) ?? 0) + 1);
    rb.set(b[i]!, (rb.get(b[i]!) ?? 0) + 1);
  }
  let index = 0;
  let sa = 0;
  let sb = 0;
  for (const v of joint.values()) index += pairs(v);
  for (const v of ra.values()) sa += pairs(v);
  for (const v of rb.values()) sb += pairs(v);
  const expected = (sa * sb) / pairs(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
