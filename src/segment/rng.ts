/**
 * A small seeded PRNG (mulberry32) so that every random choice of the segmentation (samples,
 * k-means++ starts, tie-breaks) is a pure function of the seed.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    this.state = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 0x6d2b79f5;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * `n` distinct indices from [0, total), sorted ascending (so a sample keeps the data's order),
 * by a partial Fisher-Yates shuffle. Returns every index when `n >= total`.
 */
export function sampleIndices(total: number, n: number, rng: SeededRandom): Int32Array {
  if (n >= total) return Int32Array.from({ length: total }, (_, i) => i);
  const perm = new Int32Array(total);
  for (let i = 0; i < total; i++) perm[i] = i;
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(total - i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.subarray(0, n).sort();
}
