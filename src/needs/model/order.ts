/**
 * Seeded orders and stable splits for training. Randomness comes from the one PRNG of the
 * project (`mulberry32`, src/features/random.ts); this file only shapes it.
 */

import { fnv1a32 } from '../../schema/index.ts';

/**
 * Fisher-Yates shuffle of 0..n-1 with a seeded generator.
 *
 * @param n how many indices
 * @param random a generator in [0, 1), e.g. `mulberry32(seed)`
 * @example
 * shuffledIndices(4, mulberry32(42)); // a permutation of [0, 1, 2, 3]
 */
export function shuffledIndices(n: number, random: () => number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A stable fraction in [0, 1) from a string (FNV-1a with a final mix), for fixed splits that
 * survive reordering: a row keeps its fold when rows are added elsewhere.
 *
 * @example
 * hashFraction('co-0001') < 0.2; // the same answer on every run
 */
export function hashFraction(key: string): number {
  let h = fnv1a32(key);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}
