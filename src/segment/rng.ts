import { mulberry32 } from '../features/random.ts';

/**
 * A small seeded PRNG (mulberry32) so that every random choice of the segmentation (samples,
 * k-means++ starts, tie-breaks) is a pure function of the seed.
 */
export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    this.next = mulberry32(Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 0x6d2b79f5);
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
